//! The request-line guard: sits between a connection's socket and hyper, follows the HTTP/1
//! framing of the requests on it, and rewrites a request line too long for hyper into one our own
//! limits answer. hyper cannot hold a request target of 64 KiB or more (the `http` crate's URI
//! limit) and answers such a request with its own 414, empty and without a content type, before
//! any layer of ours sees it; every other error of the server is JSON. A line over
//! [`LONG_LINE`] bytes reaches hyper as `METHOD / VERSION` plus the header [`TARGET_BYTES`] with
//! the target's real length, and `head_limits` answers it with the JSON 414 it gives every target
//! over `MAX_URI`. Everything else passes through unchanged: heads byte for byte, bodies
//! (by `Content-Length` or chunked) without being looked at. A connection this guard cannot
//! follow (an upgrade, CONNECT, HTTP/2, a framing header it cannot read) is passed through
//! untouched from there on; hyper refuses whatever it cannot parse itself.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Request lines longer than this are rewritten (well below hyper's 64 KiB, well above
/// `MAX_URI`, so every target between the two still reaches `head_limits` as sent).
pub(super) const LONG_LINE: usize = 32 * 1024;
/// A request line still going after this many bytes is not waited for: the request is answered
/// (414) and the rest of the connection's input dropped, as hyper would drop it.
const GIVE_UP_LINE: usize = 1 << 20;
/// The header that carries a rewritten request target's length to `head_limits`.
pub(super) const TARGET_BYTES: &str = "x-jiance-request-target-bytes";
/// Longest header or chunk-size line kept to be read (the framing headers are short).
const KEEP: usize = 1024;

/// Where in the connection's byte stream the guard is.
#[derive(Debug)]
enum State {
    /// At (or inside) a request line, held back until its end.
    Line(Vec<u8>),
    /// Inside a request line over [`LONG_LINE`]: dropped, counted; its method and last bytes
    /// (the version) kept.
    LongLine {
        method: Vec<u8>,
        len: usize,
        tail: Vec<u8>,
    },
    /// Inside the header section.
    Headers(Head),
    /// Inside a body of known length: bytes left.
    Body(u64),
    /// A chunk-size line of a chunked body.
    ChunkSize(Vec<u8>),
    /// Inside a chunk: bytes left.
    ChunkData(u64),
    /// The line end after a chunk.
    ChunkEnd,
    /// The trailer section after the last chunk: bytes of the current line.
    Trailers(usize),
    /// Not followed any more: everything passes.
    Through,
    /// Answered and given up: everything is dropped.
    Drop,
}

/// What the header section said about the body and the connection.
#[derive(Debug, Default)]
struct Head {
    line: Vec<u8>,
    line_len: usize,
    length: Option<u64>,
    chunked: bool,
    /// Upgrade or CONNECT: what follows the head is not HTTP/1 requests.
    leaves: bool,
    /// A framing header this guard could not read.
    unreadable: bool,
}

impl Head {
    fn read_line(&mut self) {
        let line = trim_end(&self.line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return;
        };
        let name = line[..colon].trim_ascii().to_ascii_lowercase();
        let value = line[colon + 1..].trim_ascii();
        let framing = matches!(
            name.as_slice(),
            b"content-length" | b"transfer-encoding" | b"upgrade"
        );
        if framing && self.line_len > KEEP {
            self.unreadable = true;
            return;
        }
        match name.as_slice() {
            b"content-length" => match std::str::from_utf8(value).ok().and_then(|v| v.parse().ok())
            {
                Some(n) => self.length = Some(n),
                None => self.unreadable = true,
            },
            b"transfer-encoding" => {
                self.chunked = value.to_ascii_lowercase().ends_with(b"chunked");
            }
            b"upgrade" => self.leaves = true,
            _ => {}
        }
    }
}

/// A line without its `\r\n` or `\n`.
fn trim_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The HTTP/1 framing follower: bytes from the client in, bytes for hyper out.
#[derive(Debug)]
pub(super) struct Framing {
    state: State,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            state: State::Line(Vec::new()),
        }
    }
}

impl Framing {
    /// Takes the next `input` bytes of the connection, appends what hyper is to read to `out`.
    pub(super) fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while !input.is_empty() {
            // bulk states take what they can at once
            match &mut self.state {
                State::Through => {
                    out.extend_from_slice(input);
                    return;
                }
                State::Drop => return,
                State::Body(left) | State::ChunkData(left) => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    out.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = match self.state {
                            State::ChunkData(_) => State::ChunkEnd,
                            _ => State::Line(Vec::new()),
                        };
                    }
                    continue;
                }
                _ => {}
            }
            let b = input[0];
            input = &input[1..];
            self.byte(b, out);
        }
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        match &mut self.state {
            State::Line(held) => {
                held.push(b);
                if b == b'\n' {
                    let line = std::mem::take(held);
                    out.extend_from_slice(&line);
                    let text = trim_end(&line);
                    self.state = if text.is_empty() {
                        // empty lines before a request are allowed (RFC 9112, 2.2)
                        State::Line(Vec::new())
                    } else if text.starts_with(b"PRI * HTTP/2") {
                        State::Through
                    } else {
                        State::Headers(Head {
                            leaves: text.starts_with(b"CONNECT "),
                            ..Head::default()
                        })
                    };
                } else if held.len() > LONG_LINE {
                    let method: Vec<u8> = held
                        .iter()
                        .take_while(|&&c| c != b' ')
                        .take(32)
                        .copied()
                        .collect();
                    let tail = held[held.len() - 16..].to_vec();
                    self.state = State::LongLine {
                        method,
                        len: held.len(),
                        tail,
                    };
                }
            }
            State::LongLine { method, len, tail } => {
                *len += 1;
                tail.push(b);
                if tail.len() > 32 {
                    tail.drain(..tail.len() - 16);
                }
                if b == b'\n' || *len > GIVE_UP_LINE {
                    let ended = b == b'\n';
                    let end = if ended { trim_end(tail) } else { &tail[..] };
                    // the line's length without its end, and its version if it names one
                    let line = *len - (tail.len() - end.len());
                    let named = end
                        .rsplit(|&c| c == b' ')
                        .next()
                        .filter(|v| ended && v.starts_with(b"HTTP/1."))
                        .map(<[u8]>::to_vec);
                    let target = line.saturating_sub(
                        method.len() + 1 + named.as_ref().map_or(0, |v| v.len() + 1),
                    );
                    let version = named.unwrap_or_else(|| b"HTTP/1.1".to_vec());
                    let method = if method.is_empty() {
                        b"GET".to_vec()
                    } else {
                        std::mem::take(method)
                    };
                    out.extend_from_slice(&method);
                    out.extend_from_slice(b" / ");
                    out.extend_from_slice(&version);
                    out.extend_from_slice(format!("\r\n{TARGET_BYTES}: {target}\r\n").as_bytes());
                    self.state = if ended {
                        State::Headers(Head::default())
                    } else {
                        // the head is not waited for: it ends here, the connection with it
                        out.extend_from_slice(b"connection: close\r\n\r\n");
                        State::Drop
                    };
                }
            }
            State::Headers(head) => {
                out.push(b);
                head.line_len += 1;
                if head.line.len() < KEEP {
                    head.line.push(b);
                }
                if b != b'\n' {
                    return;
                }
                if trim_end(&head.line).is_empty() && head.line_len <= 2 {
                    let head = std::mem::take(head);
                    self.state = if head.leaves || head.unreadable {
                        State::Through
                    } else if head.chunked {
                        State::ChunkSize(Vec::new())
                    } else {
                        match head.length {
                            Some(n) if n > 0 => State::Body(n),
                            _ => State::Line(Vec::new()),
                        }
                    };
                } else {
                    head.read_line();
                    head.line.clear();
                    head.line_len = 0;
                }
            }
            State::ChunkSize(line) => {
                out.push(b);
                line.push(b);
                if b == b'\n' {
                    let text = trim_end(line);
                    let size = text.split(|&c| c == b';').next().unwrap_or_default();
                    let size = std::str::from_utf8(size.trim_ascii())
                        .ok()
                        .and_then(|s| u64::from_str_radix(s, 16).ok());
                    self.state = match size {
                        Some(0) => State::Trailers(0),
                        Some(n) => State::ChunkData(n),
                        None => State::Through,
                    };
                } else if line.len() > KEEP {
                    self.state = State::Through;
                }
            }
            State::ChunkEnd => {
                out.push(b);
                if b == b'\n' {
                    self.state = State::ChunkSize(Vec::new());
                }
            }
            State::Trailers(len) => {
                out.push(b);
                if b == b'\n' {
                    self.state = if *len == 0 {
                        State::Line(Vec::new())
                    } else {
                        State::Trailers(0)
                    };
                } else if b != b'\r' {
                    *len += 1;
                }
            }
            // taken in bulk by `feed`
            State::Body(_) | State::ChunkData(_) | State::Through | State::Drop => {}
        }
    }
}

/// A connection's stream with its input passed through a [`Framing`]; output untouched.
pub(super) struct HeadGuard<S> {
    inner: S,
    framing: Framing,
    /// Bytes for hyper not read yet, from `at`.
    out: Vec<u8>,
    at: usize,
    scratch: Box<[u8]>,
}

impl<S> HeadGuard<S> {
    pub(super) fn new(inner: S) -> HeadGuard<S> {
        HeadGuard {
            inner,
            framing: Framing::default(),
            out: Vec::new(),
            at: 0,
            scratch: vec![0; 16 * 1024].into_boxed_slice(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadGuard<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.at < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.at);
                buf.put_slice(&this.out[this.at..this.at + n]);
                this.at += n;
                if this.at == this.out.len() {
                    this.out.clear();
                    this.at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            let mut read = ReadBuf::new(&mut this.scratch);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                // the end of the input: hyper sees it too
                return Poll::Ready(Ok(()));
            }
            this.framing.feed(read.filled(), &mut this.out);
            // input held back or dropped gives nothing yet: read on rather than signal the end
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadGuard<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input` fed in pieces of `step` bytes.
    fn through(input: &[u8], step: usize) -> Vec<u8> {
        let mut f = Framing::default();
        let mut out = Vec::new();
        for piece in input.chunks(step.max(1)) {
            f.feed(piece, &mut out);
        }
        out
    }

    #[test]
    fn ordinary_requests_pass_unchanged_whatever_their_bodies_hold() {
        // bodies (by length and chunked) hold lines far over the limit: never rewritten
        let long = "a".repeat(LONG_LINE * 2);
        let mut input = Vec::new();
        input.extend_from_slice(b"\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        input.extend_from_slice(
            format!(
                "POST /api/x HTTP/1.1\r\nContent-Length: {}\r\n\r\n{long}",
                long.len()
            )
            .as_bytes(),
        );
        input.extend_from_slice(
            format!(
                "POST /api/y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{:x};ext=1\r\n{long}\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
                long.len()
            )
            .as_bytes(),
        );
        input.extend_from_slice(b"GET /last HTTP/1.0\r\n\r\n");
        for step in [1, 7, 4096, input.len()] {
            assert_eq!(through(&input, step), input, "pieces of {step}");
        }
    }

    #[test]
    fn a_long_request_line_becomes_a_short_one_with_its_length() {
        let target = format!("/api/search?q={}", "x".repeat(70_000));
        let long = format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n");
        let next = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
        let input = format!("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz{long}{next}");
        let want = format!(
            "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET / HTTP/1.1\r\n{TARGET_BYTES}: {}\r\nHost: t\r\n\r\n{next}",
            target.len()
        );
        for step in [1, 1000, input.len()] {
            assert_eq!(
                String::from_utf8(through(input.as_bytes(), step)).unwrap(),
                want,
                "pieces of {step}"
            );
        }
        // one byte under the limit passes as it is
        let line = format!("GET /{} HTTP/1.1\r\n", "y".repeat(LONG_LINE - 16));
        assert!(line.len() <= LONG_LINE + 1);
        assert_eq!(through(line.as_bytes(), 100), line.as_bytes());
    }

    #[test]
    fn a_line_that_never_ends_is_answered_and_the_rest_dropped() {
        let input = format!("GET /{}", "z".repeat(GIVE_UP_LINE + 10));
        let out = String::from_utf8(through(input.as_bytes(), 5000)).unwrap();
        assert!(out.starts_with("GET / HTTP/1.1\r\n"), "{out}");
        assert!(out.ends_with("connection: close\r\n\r\n"), "{out}");
        assert!(out.contains(TARGET_BYTES), "{out}");
    }

    #[test]
    fn what_it_cannot_follow_passes_untouched() {
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "q".repeat(LONG_LINE * 2));
        for head in [
            "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ] {
            let input = format!("{head}{long}");
            assert_eq!(through(input.as_bytes(), 333), input.as_bytes(), "{head}");
        }
    }
}
