"""A Flask app that answers JSON, served by gunicorn with several workers (sync workers close
the connection after every response, so the check reconnects for each request).

    gunicorn -w 4 -b 127.0.0.1:8000 app:app
"""
from flask import Flask

try:  # orjson when available: the faster JSON encoder
    import orjson

    def dumps(value):
        return orjson.dumps(value)

except ImportError:
    import json

    def dumps(value):
        return json.dumps(value).encode()


app = Flask(__name__)


@app.get("/")
def index():
    return app.response_class(dumps({"status": "ok"}), mimetype="application/json")
