import httpx
import os.path
import requests as rq
from fastapi import FastAPI, APIRouter as Router
from .shared.tracing import TRACE_ID_HEADER
from . import clients

TRACE_HEADER = "X-Trace-ID"
TIMEOUT = 5
URL = f"http://{os.environ['HOST']}/x"

app = FastAPI()


class Client(BaseClient, metaclass=Meta):
    def __init__(self, base_url: str, timeout=3.0):
        self.http = httpx.AsyncClient(base_url=base_url,
                                      headers={"X-Trace-ID": "fixed"})

    async def fetch(self, trace_id):
        headers = {}
        if trace_id:
            headers[TRACE_HEADER] = trace_id
        response = await self.http.get(
            "/items", headers=headers)
        return response


@app.get("/health")
@traced
async def health():
    async with httpx.AsyncClient() as client:
        r = await client.post("http://agent:8080/run", json={"q": 1})
    return {"ok": True}


def outer():
    def inner(x):
        return rq.get(x, timeout=TIMEOUT)
    return inner
