"""rappi's model server and A/B router through a client no one here wrote: tritonclient's HTTP
client (the Open Inference Protocol, JSON tensors: binary_data=False)."""
import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import passengers

MODEL = "titanic_rf"


def client_for(url):
    return httpclient.InferenceServerClient(url=url.removeprefix("http://"), network_timeout=30)


def tensors(client, name, records, headers=None, skip=(), datatype_of=None):
    """One [n, 1] InferInput per input the model's metadata lists, filled from `records`."""
    metadata = client.get_model_metadata(name, headers=headers)
    inputs = []
    for tensor in metadata["inputs"]:
        if tensor["name"] in skip:
            continue
        datatype = (datatype_of or {}).get(tensor["name"], tensor["datatype"])
        values = [record[tensor["name"]] for record in records]
        if datatype == "BYTES":
            array = np.array([str(v) for v in values], dtype=object).reshape(-1, 1)
        elif datatype == "INT64":
            array = np.array(values, dtype=np.int64).reshape(-1, 1)
        else:
            array = np.array(values, dtype=np.float64).reshape(-1, 1)
        tensor_input = httpclient.InferInput(tensor["name"], list(array.shape), datatype)
        tensor_input.set_data_from_numpy(array, binary_data=False)
        inputs.append(tensor_input)
    return inputs


def outputs(*names):
    return [httpclient.InferRequestedOutput(name, binary_data=False) for name in names]


def test_health_metadata_and_readiness_answer_the_protocol(services):
    client = client_for(services.endpoint_url)
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready(MODEL)
    assert not client.is_model_ready("no_such_model")
    assert client.get_server_metadata()["name"] == "rappi"
    metadata = client.get_model_metadata(MODEL)
    assert metadata["versions"] == ["1"]
    datatypes = {t["name"]: t["datatype"] for t in metadata["inputs"]}
    assert datatypes["Sex"] == "BYTES" and datatypes["Fare"] == "FP64" and datatypes["Pclass"] == "INT64"
    assert [t["name"] for t in metadata["outputs"]] == ["label", "probabilities"]


@pytest.mark.parametrize("count", [1, 64])
def test_single_and_batch_inference_equal_rappis_own_score(services, count):
    client = client_for(services.endpoint_url)
    headers = {"Authorization": "Bearer " + services.key}
    records = passengers(3, count)
    result = client.infer(MODEL, tensors(client, MODEL, records, headers), outputs=outputs("label", "probabilities"),
                          headers=headers)
    expected = services.score(services.endpoint_url, records, key=services.key)
    labels = result.as_numpy("label")
    assert labels.shape == (count, 1)
    assert labels.ravel().tolist() == expected["predictions"]
    probabilities = result.as_numpy("probabilities")
    assert probabilities.shape == (count, 2)
    np.testing.assert_allclose(probabilities, np.array(expected["probabilities"]), atol=1e-9)
    # Without requested outputs every output comes back, and the versions form answers the same.
    everything = client.infer(MODEL, tensors(client, MODEL, records, headers), model_version="1", headers=headers)
    assert everything.as_numpy("label").ravel().tolist() == expected["predictions"]


def test_infer_without_the_key_is_refused(services):
    client = client_for(services.endpoint_url)
    with pytest.raises(InferenceServerException) as refused:
        client.infer(MODEL, tensors(client, MODEL, passengers(0, 1)), outputs=outputs("label"))
    assert refused.value.status() == "401"
    assert "API key" in refused.value.message()


def expect_400(client, inputs, headers, naming):
    with pytest.raises(InferenceServerException) as failure:
        client.infer(MODEL, inputs, outputs=outputs("label"), headers=headers)
    assert failure.value.status() == "400", failure.value
    assert naming in failure.value.message(), failure.value.message()


def test_wrong_datatype_missing_input_and_ragged_shape_are_400s_naming_the_input(services):
    client = client_for(services.endpoint_url)
    headers = {"Authorization": "Bearer " + services.key}
    records = passengers(0, 3)
    expect_400(client, tensors(client, MODEL, records, headers, datatype_of={"Age": "BYTES"}), headers, "input 'Age'")
    numeric_sex = [t if t.name() != "Sex" else zeros("Sex", len(records)) for t in tensors(client, MODEL, records, headers)]
    expect_400(client, numeric_sex, headers, "input 'Sex' has datatype FP64")
    expect_400(client, tensors(client, MODEL, records, headers, skip={"Fare"}), headers, "missing input 'Fare'")
    ragged = tensors(client, MODEL, records, headers)
    for tensor in ragged:
        if tensor.name() == "Pclass":
            tensor.set_shape([4, 1])  # three values, four promised
    expect_400(client, ragged, headers, "input 'Pclass' has shape [4, 1] but 3 values")


def zeros(name, count):
    """An FP64 [count, 1] tensor of zeros named `name`."""
    tensor = httpclient.InferInput(name, [count, 1], "FP64")
    tensor.set_data_from_numpy(np.zeros((count, 1), dtype=np.float64), binary_data=False)
    return tensor


def test_the_ab_router_answers_with_labels_variants_and_request_ids(services):
    client = client_for(services.router_url)
    assert client.is_server_ready()
    metadata = client.get_model_metadata("v2ab")
    # The linear SVC has no probabilities, so the router offers none.
    assert [t["name"] for t in metadata["outputs"]] == ["label", "variant", "request_id"]
    records = passengers(10, 40)
    result = client.infer("v2ab", tensors(client, "v2ab", records), outputs=outputs("label", "variant", "request_id"))
    labels = result.as_numpy("label").ravel().tolist()
    variants = [v.decode() if isinstance(v, bytes) else v for v in result.as_numpy("variant").ravel().tolist()]
    ids = result.as_numpy("request_id").ravel().tolist()
    assert len(set(ids)) == 40
    # split=100/0: every record goes to A, the forest, so each label is the forest endpoint's.
    assert variants == ["A"] * 40
    assert labels == services.score(services.endpoint_url, records, key=services.key)["predictions"]
    with pytest.raises(InferenceServerException) as failure:
        client.infer("v2ab", tensors(client, "v2ab", records, skip={"Age"}))
    assert failure.value.status() == "400" and "missing input 'Age'" in failure.value.message()
