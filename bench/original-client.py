# The original client this action grew out of, as a benchmark row (bench/run.js): httpx's
# AsyncClient, a 5 s timeout, one request at a time for `seconds`, and the standard line.
# Runs with Debian's python3-httpx: /usr/bin/python3 bench/original-client.py <url> [seconds]
import asyncio
import sys
import time

import httpx


async def main(url: str, seconds: float) -> None:
    print("http test running...", end="", flush=True)
    count = 0
    stop = time.time() + seconds
    async with httpx.AsyncClient(timeout=5) as client:
        while time.time() < stop:
            await client.get(url)
            count += 1
    print(f"\rhttp test running... ok, {count} requests made")


asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 5))
