#!/usr/bin/env bash
# The Titanic models on Kubernetes. Trains and registers them (scripts/titanic.rappi) unless the
# workspace has them, then deploys both with `deploy … kubernetes`:
# - when kubectl's current context answers, rappi applies the manifests, waits for the rollout,
#   port-forwards the Service and runs `test endpoint` on each;
# - when no cluster answers (as on these machines), it writes the manifests, says so and prints the
#   commands to apply them; this script then validates every manifest with
#   `kubernetes-validate --strict` (1.28 and the newest it knows) and rehearses each Deployment's
#   pod with `podman kube play` (health routes, a prediction and `test endpoint` from the host),
#   then stops the rehearsal and leaves the manifests written and unapplied.
#
# Usage: scripts/kubernetes.sh [WORKSPACE]   (default workspaces/default)
# Options for the cluster case come from the environment: NAMESPACE (default rappi), REGISTRY
# (push the images there; without it load them into the nodes yourself).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_packages "${RAPPI_SYSTEM_PACKAGES[@]}" python3-venv
if [ "$(id -u)" = 0 ]; then ensure_packages podman runc; fi
WS="${1:-workspaces/default}"
NAMESPACE="${NAMESPACE:-rappi}"
swift build -c release --product rappi
RAPPI=(.build/release/rappi --workspace "$WS")

if ! "${RAPPI[@]}" -c "model titanic_rf" >/dev/null 2>&1 || ! "${RAPPI[@]}" -c "model titanic_linsvc" >/dev/null 2>&1; then
  .build/release/rappi --workspace "$WS" run scripts/titanic.rappi -D target=local
fi

OPTIONS="namespace=$NAMESPACE replicas=2 min=2 max=6 cpu=500m memory=256Mi${REGISTRY:+ registry=$REGISTRY}"
if kubectl config current-context >/dev/null 2>&1 && kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1; then
  echo "== a cluster answers ($(kubectl config current-context)): applying"
  kubectl get namespace "$NAMESPACE" >/dev/null 2>&1 || kubectl create namespace "$NAMESPACE"
  for model in titanic_rf titanic_linsvc; do
    "${RAPPI[@]}" -c "deploy $model kubernetes as k8s-${model#titanic_} $OPTIONS"
    "${RAPPI[@]}" -c "test endpoint k8s-${model#titanic_}; assert tests_failed == 0"
  done
  "${RAPPI[@]}" -c "endpoints"
  exit 0
fi

echo "== no cluster answers: writing the manifests, validating them and rehearsing the pods with podman"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import kubernetes_validate, yaml" 2>/dev/null || .venv/bin/pip install -q kubernetes-validate pyyaml
NEWEST=$(.venv/bin/python -c "from kubernetes_validate.utils import latest_version; print(latest_version())")
for model in titanic_rf titanic_linsvc; do
  name="k8s-${model#titanic_}"
  "${RAPPI[@]}" -c "deploy $model kubernetes as $name $OPTIONS"
  for version in 1.28.0 "$NEWEST"; do
    .venv/bin/python -m kubernetes_validate --strict --quiet -k "$version" "$WS/endpoints/$name/kubernetes/"*.yaml
    echo "$name: every manifest is valid for Kubernetes $version (strict)"
  done
  # The rehearsal replaces the unapplied endpoint of the same name; undeploy runs whatever happens.
  trap '"${RAPPI[@]}" -c "undeploy $name" >/dev/null 2>&1 || true' EXIT
  "${RAPPI[@]}" -c "deploy $model kubernetes as $name $OPTIONS rehearse=true"
  "${RAPPI[@]}" -c "test endpoint $name; assert tests_failed == 0; endpoints"
  # Deploying again without rehearse=true stops the rehearsal pod and leaves the manifests, unapplied.
  "${RAPPI[@]}" -c "deploy $model kubernetes as $name $OPTIONS"
  trap - EXIT
done
"${RAPPI[@]}" -c "endpoints"
echo "== manifests validated and pods rehearsed; nothing was applied to a cluster (undeploy k8s-rf and k8s-linsvc to remove them)"
