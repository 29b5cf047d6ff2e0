# A small Flask app for the busy-poll study (gunicorn -w 2): returns JSON, as the original suite did.
from flask import Flask

try:
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
