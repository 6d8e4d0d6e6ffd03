"""moto_server with one request at a time.

moto's threaded server evaluates a DynamoDB transaction's conditions and applies its writes
without a lock, so two concurrent TransactWriteItems can both pass `ver = :v` and both
write: 21 of 50 concurrent one-unit drawdowns "succeeded" against 20 remaining. DynamoDB
transactions are serializable; serializing requests gives the emulator the same isolation.
Usage: python3 moto_serialized.py -H 127.0.0.1 -p PORT
"""
import argparse
import signal
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

parser = argparse.ArgumentParser()
parser.add_argument("-H", "--host", default="127.0.0.1")
parser.add_argument("-p", "--port", type=int, required=True)
args = parser.parse_args()

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialized(environ, start_response):
    with lock:
        # consume the response inside the lock: the backend work happens while iterating
        return list(app(environ, start_response))


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
run_simple(args.host, args.port, serialized, threaded=True)
