"""Hostile traffic for scripts/bench/soak.sh: RATE requests a second, for SECONDS, each one of a
dozen kinds of bad request, sent over raw sockets. Prints one JSON line: answers by status and by
kind. Standard library only.

Usage: soak_hostile.py HOST PORT KEY RATE SECONDS
"""
import json
import random
import socket
import sys
import time

host, port, key, rate, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
random.seed(14)
GOOD = '{"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}'


def request(body, headers=None, method="POST", path="/score", version="HTTP/1.1", auth=True):
    hdrs = {"Host": f"{host}:{port}", "Content-Type": "application/json", "Content-Length": str(len(body))}
    if auth:
        hdrs["Authorization"] = f"Bearer {key}"
    hdrs.update(headers or {})
    head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items() if v is not None) + "\r\n"
    return head.encode() + (body if isinstance(body, bytes) else body.encode())


KINDS = {
    "malformed json": lambda: request('{"data": [{"Pclass": 3,,}]}'),
    "wrong types": lambda: request('{"data": [{"Pclass": "first", "Age": [1], "Fare": {"x": 1}}]}'),
    "deep nesting": lambda: request('{"data": ' + "[" * 500 + "]" * 500 + "}"),
    "not utf-8": lambda: request(b'{"data": [{"Sex": "\xff\xfe"}]}'),
    "wrong key": lambda: request('{"data": [' + GOOD + "]}", headers={"Authorization": "Bearer wrong"}),
    "no key": lambda: request('{"data": [' + GOOD + "]}", auth=False),
    "too large": lambda: request('{"data": [' + ",".join([GOOD] * 12000) + "]}"),
    "unknown route": lambda: request("{}", path="/../../etc/passwd"),
    "bad chunk": lambda: request("zz\r\nnope\r\n0\r\n\r\n", headers={"Content-Length": None, "Transfer-Encoding": "chunked"}),
    "huge header": lambda: request("{}", headers={"X-Junk": "a" * 100_000}),
    "lying length": lambda: request('{"data": []}', headers={"Content-Length": "999"}),
    "http/1.0": lambda: request('{"data": [' + GOOD + "]}", version="HTTP/1.0"),
}


def send(kind):
    payload = KINDS[kind]()
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(payload)
            if kind == "lying length":
                s.shutdown(socket.SHUT_WR)  # the body never completes
            data = s.recv(64)
    except OSError as error:  # the server may close on us mid-send (a refused body): that is an answer too
        return "closed" if isinstance(error, (ConnectionResetError, BrokenPipeError)) else "timeout"
    if not data.startswith(b"HTTP/"):
        return "closed"
    return data.split(b" ")[1].decode()


by_status, by_kind = {}, {}
deadline = time.time() + seconds
next_at = time.time()
names = sorted(KINDS)
while time.time() < deadline:
    kind = random.choice(names)
    status = send(kind)
    by_status[status] = by_status.get(status, 0) + 1
    by_kind.setdefault(kind, {})
    by_kind[kind][status] = by_kind[kind].get(status, 0) + 1
    next_at += 1.0 / rate
    pause = next_at - time.time()
    if pause > 0:
        time.sleep(pause)
print(json.dumps({"sent": sum(by_status.values()), "by_status": by_status, "by_kind": by_kind}, sort_keys=True))
