"""A small FastAPI app of our own, for the sidecar's end-to-end tests (issue 9).

It is instrumented as Python apps commonly are (prometheus_client, a request histogram labelled
method/handler/status with grouped status values such as "2xx" and "5xx", cache counters), serves
its health as hand-written apps do, and records the ground truth the tests compare the sidecar's
figures against. The test drives it: /work answers after a given delay (waiting, or busy on the CPU) and status and counts a
cache hit or miss; /control switches the health answer and a CPU burner at run time.

Started with Debian's python3 (python3-fastapi, python3-uvicorn, python3-prometheus-client). It
binds 127.0.0.1 on a free port itself and prints `READY port=N` once it listens, so a test waits for
that line, not for a deadline.
"""
import asyncio
import json
import socket
import sys
import threading
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

app = FastAPI()

REQUEST_DURATION = Histogram(
    'http_request_duration_seconds', 'Request duration', ['method', 'handler', 'status'],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0))
CACHE_HITS = Counter('cache_hits', 'Cache hits')
CACHE_MISSES = Counter('cache_misses', 'Cache misses')

# Paths the test and the sidecar use to read or steer the app, kept out of its request metrics as
# instrumentators' excluded handlers are. An unknown path is counted, under handler "none".
UNTIMED = {'/metrics', '/health', '/control', '/truth'}
ROUTES = {'/work'}

truth = {'requests': 0, 'errors': 0, 'hits': 0, 'misses': 0, 'not_found': 0}
health = {'status_code': 200, 'body': {'status': 'ok', 'checks': {'database': 'ok', 'redis': 'ok'}}}
burner = {'duty': 0.0}


def burn():
    """Holds the whole process's CPU time at `duty` of the wall time since the duty was set, request
    handling included: busy while behind, asleep while ahead. The rate is then the same over any
    window, so two scrapers that sample at different instants still read the same rate()."""
    duty, wall0, cpu0 = 0.0, time.perf_counter(), time.process_time()
    while True:
        if burner['duty'] != duty:
            duty, wall0, cpu0 = burner['duty'], time.perf_counter(), time.process_time()
        if duty > 0 and time.process_time() - cpu0 < duty * (time.perf_counter() - wall0):
            continue
        time.sleep(0.005)


@app.middleware('http')
async def record(request: Request, call_next):
    path = request.url.path
    if path in UNTIMED:
        return await call_next(request)
    start = time.perf_counter()
    response = await call_next(request)
    handler = path if path in ROUTES else 'none'
    status = f'{response.status_code // 100}xx'
    REQUEST_DURATION.labels(request.method, handler, status).observe(time.perf_counter() - start)
    truth['requests'] += 1
    if response.status_code >= 500:
        truth['errors'] += 1
    if response.status_code == 404:
        truth['not_found'] += 1
    return response


@app.get('/work')
async def work(ms: float = 0, cpu_ms: float = 0, fail: int = 0, cache: str = 'none'):
    if cpu_ms > 0:
        # Busy on the event loop, as CPU-bound handlers are: the requests behind it queue.
        end = time.process_time() + cpu_ms / 1000
        while time.process_time() < end:
            pass
    if ms > 0:
        # Waiting, as on a slow dependency: the process stays idle.
        await asyncio.sleep(ms / 1000)
    if cache == 'hit':
        CACHE_HITS.inc()
        truth['hits'] += 1
    elif cache == 'miss':
        CACHE_MISSES.inc()
        truth['misses'] += 1
    if fail:
        return JSONResponse({'error': 'failed on purpose'}, status_code=500)
    return {'ok': True}


@app.get('/metrics')
async def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@app.get('/health')
async def get_health():
    return JSONResponse(health['body'], status_code=health['status_code'])


@app.get('/truth')
async def get_truth():
    return truth


@app.post('/control')
async def control(request: Request):
    body = await request.json()
    if 'health' in body:
        health['status_code'] = int(body['health'].get('status_code', 200))
        health['body'] = body['health']['body']
    if 'cpu_duty' in body:
        burner['duty'] = float(body['cpu_duty'])
    return {'health': health, 'cpu_duty': burner['duty']}


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # A port may be given, so a test can restart the app where the sidecar looks for it.
    sock.bind(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    port = sock.getsockname()[1]
    threading.Thread(target=burn, daemon=True).start()
    config = uvicorn.Config(app, log_level='warning', access_log=False)
    server = uvicorn.Server(config)
    # uvicorn calls `startup` before serving; the line is printed once the socket listens.
    original_startup = server.startup

    async def startup(sockets=None):
        await original_startup(sockets=sockets)
        print(json.dumps({'ready': True, 'port': port}), flush=True)

    server.startup = startup
    server.run(sockets=[sock])


if __name__ == '__main__':
    sys.exit(main())
