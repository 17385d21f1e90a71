"""The crawl benches' loopback site, served from Python so that any crawler can be pointed at it:
HOSTS host names (127.0.0.2 …; Linux routes all of 127/8 to lo), each serving LIST_PAGES list
pages of LINKS detail links (the same pages as benches/crawl.rs). Prints one "host:port" line per
host, then serves until killed. Usage: python3 site.py [HOSTS] [PORT]"""

import asyncio
import sys

HOSTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 18080
LIST_PAGES, LINKS = 2, 20

BODY = "消费者反映，购买的电暖器开机约半小时后插头明显发烫，外壳变形并有焦糊味，联系商家未获答复。" * 20


def page(path: str) -> bytes | None:
    if path.startswith("/list/"):
        p = int(path[6:])
        items = "".join(
            f'<li><a class="d" href="/d/{p * 1000 + i}?utm_source=list">关于某品牌电暖器过热的投诉{p * 1000 + i}</a></li>'
            for i in range(LINKS)
        )
        nxt = f'<a rel="next" href="/list/{p + 1}">下一页</a>' if p < LIST_PAGES else ""
        return f'<html><body><ul class="list">{items}</ul>{nxt}</body></html>'.encode()
    if path.startswith("/d/"):
        n = path[3:].split("?")[0]
        return (
            f"<html><head><title>投诉{n}</title></head><body><h1>电暖器使用中插头发烫熔化</h1>"
            f'<div class="text">{BODY}</div></body></html>'
        ).encode()
    return None


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            path = line.split(" ")[1] if " " in line else "/"
            body = page(path)
            status = b"200 OK" if body is not None else b"404 Not Found"
            body = body or b"not found"
            writer.write(
                b"HTTP/1.1 " + status + b"\r\ncontent-type: text/html; charset=utf-8\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main() -> None:
    servers = []
    for h in range(HOSTS):
        host = f"127.0.0.{2 + h}"
        servers.append(await asyncio.start_server(handle, host, PORT))
        print(f"{host}:{PORT}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
