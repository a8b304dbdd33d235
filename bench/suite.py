"""The benchmark suite behind bench/run: corocrawl against the wire limit (wrk) and the tools people
use today (aiohttp + lxml, Scrapy, curl; for whole-site crawls wget, Scrapy and Crawlee), on the
same loopback servers, in one run.

Every figure is the median of several runs with min–max; every crawl's output is checked (one
href per URL) before its time counts. Run by bench/run, which installs the peers and builds
corocrawl first; `--smoke` runs everything tiny, installs nothing, skips what is missing.
"""
import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import site_gen

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-aiohttp/lxml/scrapy live
XPATH = '//a[@id="feng"]/@href'
FENG = "http://www.haha.com"
RUN_TIMEOUT_S = 600
ROOT = HERE.parent
CRAWLEE_DIR = ROOT / "build" / "crawlee"  # bench/run: npm install --prefix build/crawlee crawlee
SITE_FAN = 14  # links per page, in the generated files and in corocrawl serve's /site/
ONCE_PAST_S = 20  # a run longer than this is not repeated
SITE_TIMEOUT_S = 1800  # Scrapy's 20,000 pages take 200–400 s on 2 busy cores


@dataclass
class Sizes:
    runs: int  # runs per figure (the slow single-threaded pool run: at most 1 when it is long)
    pages: int  # scenario 1
    sweep_concurrency: list
    sweep_io_threads: list
    sweep_parse_threads: list
    latency_urls: list  # scenario 2
    latency_delay_s: float
    pool_urls: int  # scenario 3
    pool_delay_s: float
    pool_threads: list
    wrk_seconds: int  # scenarios 1 and 4
    wrk_connections: list
    parse_min_time_s: float  # scenario 5
    https_pages: int  # scenario 6
    dns_hosts: int  # scenario 7
    dns_delay_ms: int
    site_pages: int  # scenario 8
    million_pages: int  # scenario 9
    polite_hosts: int  # scenario 10
    polite_pages: int
    resume_urls: int  # scenario 11: the state that is resumed
    shared_pages: int  # scenario 12
    shared_workers: list


FULL = Sizes(runs=3, pages=20_000, sweep_concurrency=[25, 100, 400], sweep_io_threads=[1, 2],
             sweep_parse_threads=[0, 2], latency_urls=[1_000, 10_000], latency_delay_s=2.0,
             pool_urls=64, pool_delay_s=0.5, pool_threads=[1, 4, 16, 64], wrk_seconds=5,
             wrk_connections=[64, 1000], parse_min_time_s=0.5, https_pages=5_000,
             dns_hosts=500, dns_delay_ms=50, site_pages=20_000, million_pages=1_000_000,
             polite_hosts=20, polite_pages=100, resume_urls=1_000_000, shared_pages=20_000,
             shared_workers=[1, 2, 4])
SMOKE = Sizes(runs=1, pages=200, sweep_concurrency=[25], sweep_io_threads=[1],
              sweep_parse_threads=[0], latency_urls=[50], latency_delay_s=0.2, pool_urls=8,
              pool_delay_s=0.1, pool_threads=[1, 4], wrk_seconds=1, wrk_connections=[16],
              parse_min_time_s=0.01, https_pages=50,
              dns_hosts=20, dns_delay_ms=20, site_pages=200, million_pages=1_000,
              polite_hosts=3, polite_pages=10, resume_urls=2_000, shared_pages=200,
              shared_workers=[1, 2])


class CheckFailed(Exception):
    pass


# ---- figures --------------------------------------------------------------------------------------

@dataclass
class Figure:
    """Several runs of one measurement."""
    values: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.values)

    def text(self, digits=0, scale=1.0):
        fmt = f"{{:,.{digits}f}}"
        med = fmt.format(self.median * scale)
        if len(self.values) == 1:
            return med
        return f"{med} ({fmt.format(min(self.values) * scale)}–{fmt.format(max(self.values) * scale)})"


def ratio(a, b):
    return a / b if b else float("nan")


# ---- processes ------------------------------------------------------------------------------------

@dataclass
class Run:
    wall_s: float
    peak_rss_kib: int
    status: int
    stdout: str
    stderr: str


def run_measured(argv, timeout_s=RUN_TIMEOUT_S, stdout_path=None):
    """Runs argv to completion: its wall time, and its peak RSS as /usr/bin/time reports it.
    With `stdout_path` its stdout goes to that file and Run.stdout is empty (a million records
    need not be held in this process).

    Not wait4's rusage of our own child: a child forked from this Python process starts with
    Python's pages, and ru_maxrss keeps that high-water mark across exec, so every small program
    would show Python's 20-odd MiB. /usr/bin/time forks from a tiny process instead.
    """
    out_file = open(stdout_path, "w+b") if stdout_path else tempfile.TemporaryFile()
    with out_file as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv],
                                   stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        lines = rss.read().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        stdout = b"" if stdout_path else out.read()
        return Run(wall, peak, process.returncode, stdout.decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, timeout_s=10):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailed(f"server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise CheckFailed(f"nothing listens on port {port} after {timeout_s} s")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def corocrawl_server(corocrawl, threads):
    """`corocrawl serve` on a free port; yields its base URL."""
    process = subprocess.Popen([corocrawl, "serve", "--port", "0", "--threads", str(threads)],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        if not line.startswith("serving "):
            raise CheckFailed(f"corocrawl serve said {line!r}")
        yield line.removeprefix("serving ")
    finally:
        stop(process)


NGINX_CONF = """\
worker_processes {workers};
worker_rlimit_nofile 65536;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{ worker_connections 20000; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ }}
    default_type "text/html; charset=utf-8";
    server {{
        listen 127.0.0.1:{port}{tls};
        root {dir}/www;
        location / {{ {location}}}
    }}
}}
"""


NGINX_TLS = """
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        ssl_session_cache shared:TLS:10m;"""


def self_signed_certificate(directory):
    """A certificate for 127.0.0.1 and its key, made with the openssl command; (cert, key)."""
    certificate, key = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    return str(certificate), str(key)


@contextlib.contextmanager
def nginx_server(page_bytes, workers, tls=None, site=None):
    """nginx answering every path with `page_bytes` (over TLS with `tls` = (cert, key)); yields its
    base URL. With `site`, a function (folder, base URL) that writes files into the folder, nginx
    serves those files instead, as they are (404 for any other path)."""
    with tempfile.TemporaryDirectory(prefix="corocrawl-bench-nginx-") as directory:
        os.chmod(directory, 0o755)  # nginx's workers run as another user when we are root
        (Path(directory) / "www").mkdir()
        port = free_port()
        if site:
            site(Path(directory) / "www", f"{'https' if tls else 'http'}://127.0.0.1:{port}")
            for folder, _, _ in os.walk(Path(directory) / "www"):
                os.chmod(folder, 0o755)
        else:
            (Path(directory) / "www" / "page.html").write_bytes(page_bytes)
        conf = Path(directory) / "nginx.conf"
        tls_conf = (" ssl;" + NGINX_TLS.format(certificate=tls[0], key=tls[1])).rstrip(";") \
            if tls else ""
        conf.write_text(NGINX_CONF.format(workers=workers, dir=directory, port=port,
                                          tls=tls_conf,
                                          location="" if site else "try_files /page.html =404; "))
        process = subprocess.Popen(["nginx", "-p", directory, "-c", str(conf),
                                    "-e", f"{directory}/error.log"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(port, process)
            yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        finally:
            stop(process)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


# ---- clients --------------------------------------------------------------------------------------

@dataclass
class Client:
    name: str
    argv: list  # "{urls}" is replaced by the URL file's path
    counts: str = "hrefs"  # what its stdout holds: "hrefs" (one value a line) or "statuses"
    slow: bool = False  # run against the first server only, to keep the suite near 15 minutes


def corocrawl_client(corocrawl, name, *options):
    return Client(name, [corocrawl, "crawl", "-i", "{urls}", "-x", XPATH, "-q", "--no-progress",
                         *options])


def aiohttp_client(name, concurrency, per_url=False):
    argv = [SYSTEM_PYTHON, str(PEERS / "aiohttp_crawl.py"), "{urls}", XPATH,
            "--concurrency", str(concurrency)]
    return Client(name, argv + (["--session-per-url"] if per_url else []), slow=per_url)


def write_url_file(directory, urls):
    path = Path(directory) / f"urls-{len(urls)}-{abs(hash(urls[0])) % 10**8}.txt"
    path.write_text("".join(u + "\n" for u in urls))
    return str(path)


def curl_config_file(directory, urls):
    path = Path(directory) / f"curl-{len(urls)}.cfg"
    path.write_text("".join(f'url = "{u}"\noutput = "/dev/null"\n' for u in urls))
    return str(path)


def run_client(client, url_file, expected, log):
    """One run; checks the output holds `expected` answers before the time counts."""
    argv = [url_file if a == "{urls}" else a for a in client.argv]
    run = run_measured(argv)
    lines = run.stdout.splitlines()
    if client.counts == "hrefs":
        got = sum(1 for line in lines if line == FENG)
    else:
        got = sum(1 for line in lines if line == "200")
    if run.status != 0 or got != expected:
        raise CheckFailed(f"{client.name}: exit status {run.status}, {got} of {expected} "
                          f"{client.counts}; stderr: {run.stderr.strip()[-400:]}")
    log(f"  {client.name}: {run.wall_s:.3f} s, {run.peak_rss_kib / 1024:.1f} MiB")
    return run


def wrk_requests_per_second(url, connections, seconds, notes, threads=2):
    """Requests/s; a non-2xx answer fails, socket errors (timeouts under load) go to `notes`."""
    argv = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections),
            "-d", f"{seconds}s", "--timeout", "10s", url]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    for line in result.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            value = float(line.split()[1])
            output = result.stdout.splitlines()
            if any("Non-2xx" in l for l in output):
                raise CheckFailed(f"wrk against {url}: non-2xx answers")
            notes += [f"wrk -c {connections} {url}: {l.strip()}" for l in output if "errors" in l]
            return value
    raise CheckFailed(f"wrk printed no Requests/sec: {result.stdout} {result.stderr}")


# ---- whole-site crawls (scenarios 8 and 9) --------------------------------------------------------

SITE_PAGE = re.compile(r"^/site/page/(\d+)")
WGET_FETCHED = re.compile(r" URL: ?(\S+) \[")  # wget -nv: one such line per file downloaded


@dataclass
class SiteClient:
    """A crawler given one seed URL. "{seed}" in argv is replaced by it, "{scratch}" by a fresh
    folder for each run. What it fetched is read from `output`: "jsonl" (stdout, one JSON object a
    page with its "url" and "status") or "wget" (wget's -nv log on stderr)."""
    name: str
    argv: list
    output: str = "jsonl"
    cannot: str = ""  # why it cannot run at all (a row saying so instead of figures)


@dataclass
class Fetched:
    """Which of the site's N pages a crawl fetched: distinct pages 0..N-1 answered 200, and how
    many records of them there were (a page fetched twice counts twice)."""
    n: int
    distinct: int
    records: int

    @property
    def every_page_once(self):
        return self.distinct == self.n and self.records == self.n

    def text(self):
        fewer = self.n - self.distinct
        text = f"{self.distinct:,} of {self.n:,}"
        if fewer:
            text = f"**{text} ({fewer:,} missing)**"
        return text

    def repeats(self):
        extra = self.records - self.distinct
        return f"**{extra:,}**" if extra else "0"


def site_pages_fetched(kind, stdout_path, stderr, n):
    seen = bytearray(n)
    records = 0

    def page(url):
        nonlocal records
        match = SITE_PAGE.match(urlsplit(url).path)
        if match and int(match[1]) < n:
            seen[int(match[1])] = 1
            records += 1

    if kind == "wget":
        for line in stderr.splitlines():
            match = WGET_FETCHED.search(line)
            if match:
                page(match[1])
    else:
        with open(stdout_path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if isinstance(record, dict) and str(record.get("status")) == "200" \
                            and isinstance(record.get("url"), str):
                        page(record["url"])
    return Fetched(n, n - seen.count(0), records)


def corocrawl_site_client(corocrawl, name, *options, cannot=""):
    # --per-host 100: the peers are given 100 requests per host too (a recursive crawl's polite
    # default is 2: scenario 10 measures politeness).
    return SiteClient(name, [corocrawl, "crawl", "-r", "-l", "inf", "--max-pages", "inf",
                             "-f", "jsonl", "-q", "--no-progress", "--per-host", "100", *options,
                             "{seed}"], cannot=cannot)


def wget_site_client():
    # -e robots=off: no peer here reads robots.txt (Scrapy's ROBOTSTXT_OBEY is off, Crawlee does
    # not by default, corocrawl does not), and nginx would answer it 404 anyway.
    return SiteClient("wget -r -l inf -np (1 connection, no extraction)",
                      ["wget", "-r", "-l", "inf", "-np", "-nd", "--delete-after", "-nv",
                       "-e", "robots=off", "-P", "{scratch}", "{seed}"], output="wget")


def scrapy_site_client():
    return SiteClient("Scrapy CrawlSpider, CONCURRENT_REQUESTS=100",
                      [SYSTEM_PYTHON, str(PEERS / "scrapy_site.py"), "{seed}", "--concurrency",
                       "100"])


def crawlee_site_client(crawlee_dir, fixed=False):
    """fixed: minConcurrency 100 as well, instead of the autoscaled pool's start at 1."""
    return SiteClient("Crawlee CheerioCrawler, maxConcurrency 100" +
                      (" + minConcurrency 100" if fixed else ""),
                      ["env", "CRAWLEE_STORAGE_DIR={scratch}/storage",
                       "CRAWLEE_PERSIST_STORAGE=false", "node",
                       str(Path(crawlee_dir) / "crawlee_site.mjs"), "{seed}", "100",
                       *(["--fixed"] if fixed else [])])


def serve_site_url(base, n):
    return f"{base}/site/page/0?n={n}&fan={SITE_FAN}&extras=0"


def disk_usage(folder):
    """What `du` counts for a folder: the blocks its files occupy, in bytes."""
    return sum(entry.stat().st_blocks * 512 for entry in Path(folder).rglob("*")
               if entry.is_file())


def count_lines(path):
    with open(path, "rb") as text:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: text.read(1 << 20), b""))


# ---- a shared crawl through Redis (scenario 12) ---------------------------------------------------

REDIS_SERVER = "/usr/bin/redis-server"  # Debian's redis-server package (scripts/bootstrap)


def resp_command(socket_path, *args):
    """One command to the Redis server at `socket_path`, in RESP; its reply (str, int, list)."""
    request = f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(10)
        connection.connect(socket_path)
        connection.sendall(request.encode())
        reader = connection.makefile("rb")

        def reply():
            head = reader.readline().rstrip(b"\r\n")
            kind, rest = head[:1], head[1:].decode()
            if kind == b"+":
                return rest
            if kind == b"-":
                raise CheckFailed(f"redis: {rest}")
            if kind == b":":
                return int(rest)
            if kind == b"$":
                return None if rest == "-1" else reader.read(int(rest) + 2)[:-2].decode()
            if kind == b"*":
                return [reply() for _ in range(int(rest))]
            raise CheckFailed(f"redis: not a RESP reply: {head!r}")
        return reply()


def redis_info(socket_path, section):
    """INFO SECTION as {field: text}."""
    fields = {}
    for line in resp_command(socket_path, "INFO", section).splitlines():
        name, colon, value = line.partition(":")
        if colon and not name.startswith("#"):
            fields[name] = value
    return fields


@contextlib.contextmanager
def redis_server(folder):
    """redis-server on a unix socket in `folder` (no TCP port), the append-only file on as the
    tests run it (everysec); yields the socket's path."""
    sock = str(Path(folder) / "redis.sock")
    log = open(Path(folder) / "redis.log", "wb")
    process = subprocess.Popen([REDIS_SERVER, "--port", "0", "--unixsocket", sock,
                                "--unixsocketperm", "700", "--dir", str(folder), "--appendonly",
                                "yes", "--appendfsync", "everysec", "--save", "",
                                "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise CheckFailed(f"redis-server exited {process.returncode}: "
                                  f"{(Path(folder) / 'redis.log').read_text()[-400:]}")
            with contextlib.suppress(OSError, CheckFailed):
                if resp_command(sock, "PING") == "PONG":
                    break
            if time.monotonic() > deadline:
                raise CheckFailed("redis-server did not answer PING within 10 s")
            time.sleep(0.02)
        yield sock
    finally:
        stop(process)
        log.close()


def run_together(argvs, timeout_s=SITE_TIMEOUT_S):
    """Starts every argv at once (each under /usr/bin/time) and waits for them all: the wall time
    from the first start to the last exit, and each one's Run (stdout and stderr to files)."""
    with contextlib.ExitStack() as files:
        started, processes = time.perf_counter(), []
        for argv in argvs:
            out, err = files.enter_context(tempfile.TemporaryFile()), \
                files.enter_context(tempfile.TemporaryFile())
            rss = files.enter_context(tempfile.NamedTemporaryFile("r"))
            processes.append((subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name,
                                                *argv], stdout=out, stderr=err,
                                               stdin=subprocess.DEVNULL), out, err, rss))
        deadline = started + timeout_s
        for process, *_ in processes:
            try:
                process.wait(max(0.1, deadline - time.perf_counter()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        wall = time.perf_counter() - started
        runs = []
        for process, out, err, rss in processes:
            out.seek(0)
            err.seek(0)
            lines = rss.read().split()
            runs.append(Run(wall, int(lines[-1]) if lines and lines[-1].isdigit() else 0,
                            process.returncode, out.read().decode("utf-8", "replace"),
                            err.read().decode("utf-8", "replace")))
        return wall, runs


# ---- the suite ------------------------------------------------------------------------------------

class Suite:
    def __init__(self, args, sizes, scratch):
        self.args = args
        self.sizes = sizes
        self.scratch = scratch
        self.corocrawl = args.corocrawl
        self.has = {tool: shutil.which(tool) is not None for tool in ("wrk", "nginx", "curl")}
        self.has["aiohttp"] = self.python_has("aiohttp", "lxml")
        self.has["scrapy"] = self.python_has("scrapy")
        self.has["wget"] = shutil.which("wget") is not None
        self.crawlee_dir = Path(args.crawlee)
        self.has["crawlee"] = shutil.which("node") is not None and \
            (self.crawlee_dir / "node_modules" / "crawlee").is_dir()
        self.has["redis-server"] = os.access(REDIS_SERVER, os.X_OK)
        self.skipped = [t for t, ok in self.has.items() if not ok]
        self.failures = []  # fail the run
        self.peer_failures = []  # a peer that fails at full size: a finding, reported
        self.notes = []
        self.sections = []
        self.targets = []  # (target, measured, met, margin)
        self.started = time.time()

    @staticmethod
    def python_has(*modules):
        if not os.path.exists(SYSTEM_PYTHON):
            return False
        check = subprocess.run([SYSTEM_PYTHON, "-c", "import " + ", ".join(modules)],
                               capture_output=True)
        return check.returncode == 0

    def log(self, text):
        print(text, file=sys.stderr, flush=True)

    def figure(self, measure, runs=None):
        figure = Figure()
        for _ in range(runs or self.sizes.runs):
            figure.values.append(measure())
        return figure

    def client_failed(self, client, error):
        """Corocrawl failing, or anything failing in --smoke, fails the run; a peer failing at full
        size is reported as what it is. Returns the reason for the table."""
        reason = (str(error).strip().splitlines() or ["?"])[-1][:200]
        if self.args.smoke or client.name.startswith("corocrawl"):
            self.failures.append(str(error)[:800])
        else:
            self.peer_failures.append(f"{client.name}: {reason}")
        self.log(f"  {client.name} FAILED: {reason}")
        return reason

    def target(self, text, measured, met, margin):
        """met: True, False, or None when it could not be measured (shown as "cannot")."""
        self.targets.append((text, measured, met, margin))

    def guarded(self, name, body):
        """A scenario whose failure is reported and does not stop the others."""
        self.log(f"== {name}")
        try:
            body()
        except (CheckFailed, subprocess.SubprocessError, OSError) as error:
            self.failures.append(f"{name}: {error}")
            self.sections.append(f"## {name}\n\nFAILED: {error}\n")
            self.log(f"FAILED: {error}")

    # -- scenario 1 ----------------------------------------------------------------------------
    def throughput(self):
        s = self.sizes
        with corocrawl_server(self.corocrawl, 1) as ours:
            page = fetch(ours + "/page/1")
            servers = [("corocrawl serve (1 thread)", contextlib.nullcontext(ours))]
            if self.has["nginx"]:
                servers.insert(0, ("nginx (1 worker)", nginx_server(page, 1)))
            else:
                self.log("  nginx not installed: scenario 1 against corocrawl serve only")
            text = [f"## 1. Throughput: {s.pages:,} zero-delay pages, XPath `{XPATH}` on each\n",
                    f"Page: `/page/N` of corocrawl serve, {len(page)} bytes; nginx serves the same "
                    "bytes for every path. Pages/s = URLs / wall time of the whole process "
                    "(start-up included), median (min–max). Every run's output is checked: one "
                    "href per URL (curl: one 200 per URL). The slow peers (Scrapy, aiohttp with a "
                    "session per URL) run against the first server only.\n"]
            if self.args.smoke:  # one server is enough to prove every client still works
                servers = servers[:1]
            best = None
            for server_name, server in servers:
                with server as base:
                    urls = [f"{base}/page/{i}" for i in range(s.pages)]
                    url_file = write_url_file(self.scratch, urls)
                    if best is None:
                        best = self.sweep(url_file, server_name, text)
                    text.append(self.throughput_table(server_name, base, urls, url_file, best,
                                                      first=(server_name == servers[0][0])))
            self.sections.append("\n".join(text))

    def sweep(self, url_file, server_name, text):
        """Async settings, one run each: the best goes on as corocrawl's "best settings"."""
        s = self.sizes
        rows, best = [], None
        self.log(f"  settings sweep against {server_name}")
        for c in s.sweep_concurrency:
            for io in s.sweep_io_threads:
                for parse in s.sweep_parse_threads:
                    options = ["-c", str(c), "--io-threads", str(io), "--parse-threads", str(parse)]
                    client = corocrawl_client(self.corocrawl, " ".join(options), *options)
                    rss = Figure()

                    def one():
                        run = run_client(client, url_file, s.pages, self.log)
                        rss.values.append(run.peak_rss_kib / 1024)
                        return s.pages / run.wall_s

                    pps = self.figure(one)
                    rows.append(f"| {c} | {io} | {parse} | {pps.text()} | {rss.text(1)} |")
                    if best is None or pps.median > best[0]:
                        best = (pps.median, options)
        text.append(f"### Settings sweep (async, against {server_name})\n\n"
                    "| -c | --io-threads | --parse-threads | pages/s | peak RSS MiB |\n"
                    "|---:|---:|---:|---:|---:|\n" + "\n".join(rows) +
                    f"\n\nBest: `{' '.join(best[1])}`.\n")
        return best[1]

    def throughput_table(self, server_name, base, urls, url_file, best, first):
        s = self.sizes
        n = len(urls)
        rows = []
        wrk = None
        if self.has["wrk"]:
            wrk = self.figure(lambda: wrk_requests_per_second(base + "/page/1", 100, s.wrk_seconds,
                                                         self.notes))
            rows.append(("wrk -c 100 (HTTP only, the ceiling)", wrk, None, None))
        else:
            self.log("  wrk not installed: no ceiling")
        clients = [corocrawl_client(self.corocrawl, "corocrawl async, best: " + " ".join(best),
                                    *best),
                   corocrawl_client(self.corocrawl, "corocrawl async, defaults"),
                   corocrawl_client(self.corocrawl, "corocrawl pool, defaults", "-m", "pool")]
        if self.has["aiohttp"]:
            clients += [aiohttp_client("aiohttp + lxml, shared session, semaphore 100", 100),
                        aiohttp_client("aiohttp + lxml, session per URL, semaphore 100", 100,
                                       per_url=True)]
        if self.has["scrapy"]:
            clients.append(Client("Scrapy, CONCURRENT_REQUESTS=100",
                                  [SYSTEM_PYTHON, str(PEERS / "scrapy_crawl.py"), "{urls}", XPATH,
                                   "--concurrency", "100"], slow=True))
        if self.has["curl"]:
            clients.append(Client("curl -Z --parallel-max 100 (fetch only)",
                                  ["curl", "-sS", "-Z", "--parallel-max", "100", "-w",
                                   "%{http_code}\\n", "-K", curl_config_file(self.scratch, urls)],
                                  counts="statuses"))
        if not first:
            clients = [c for c in clients if not c.slow]
        self.log(f"  against {server_name}")
        figures = {}
        for client in clients:
            rss = []

            def one():
                run = run_client(client, url_file, n, self.log)
                rss.append(run.peak_rss_kib / 1024)
                return n / run.wall_s

            try:
                figures[client.name] = self.figure(one)
            except CheckFailed as error:
                rows.append((client.name, None, None, self.client_failed(client, error)))
                continue
            rows.append((client.name, figures[client.name], Figure(rss), None))
        table = [f"### Against {server_name}\n",
                 "| client | pages/s | × wrk | peak RSS MiB |", "|---|---:|---:|---:|"]
        for name, figure, rss, failure in rows:
            if failure:
                table.append(f"| {name} | failed: {failure} | – | – |")
                continue
            vs_wrk = f"{ratio(figure.median, wrk.median):.2f}" if wrk else "–"
            table.append(f"| {name} | {figure.text()} | {vs_wrk} | "
                         f"{rss.text(1) if rss else '–'} |")
        if self.sizes is FULL:
            self.ratio_targets(server_name, figures, wrk)
        return "\n".join(table) + "\n"

    def ratio_targets(self, server_name, figures, wrk):
        """Step 8's targets for the defaults a new user gets: async against pool, curl, aiohttp
        and wrk."""
        ours = figures.get("corocrawl async, defaults")
        if ours is None:
            return
        wanted = [("corocrawl pool, defaults", 1.2, "pool"),
                  ("curl -Z --parallel-max 100 (fetch only)", 1.2, "curl -Z"),
                  ("aiohttp + lxml, shared session, semaphore 100", 6, "aiohttp")]
        for name, factor, short in wanted:
            if name in figures:
                r = ours.median / figures[name].median
                self.target(f"async ≥ {factor:g} × {short} ({server_name})", f"{r:.2f} ×",
                            r >= factor, f"{r / factor - 1:+.0%}")
        if wrk:
            r = ours.median / wrk.median
            self.target(f"async ≥ 0.4 × wrk ({server_name})", f"{r:.2f} × wrk", r >= 0.4,
                        f"{r / 0.4 - 1:+.0%}")

    def wall_rows(self, clients, url_file, n, text, pages_per_s=False):
        """Runs each client over `url_file` (n URLs) and appends a table row to `text`: wall s,
        [pages/s,] peak RSS MiB. Returns {client name: median wall s} of those that worked."""
        walls = {}
        for client in clients:
            rss = Figure()

            def one():
                run = run_client(client, url_file, n, self.log)
                rss.values.append(run.peak_rss_kib / 1024)
                return run.wall_s

            try:
                wall = self.figure(one)
            except CheckFailed as error:
                dashes = "| – | – |" if pages_per_s else "| – |"
                text.append(f"| {client.name} | failed: {self.client_failed(client, error)} "
                            + dashes)
                continue
            walls[client.name] = wall.median
            rate = f" {n / wall.median:,.0f} |" if pages_per_s else ""
            text.append(f"| {client.name} | {wall.text(3)} |{rate} {rss.text(1)} |")
        return walls

    def pool_does_not_beat_async(self, scenario, async_s, pool_s):
        """No scenario where pool beats async by more than noise (5 %): times in seconds."""
        r = pool_s / async_s
        self.target(f"pool not faster than async beyond noise ({scenario})",
                    f"pool {r:.2f} × async's time", r >= 0.95, f"{r / 0.95 - 1:+.0%}")

    # -- scenario 2 ----------------------------------------------------------------------------
    def latency(self):
        s = self.sizes
        delay_ms = round(s.latency_delay_s * 1000)
        text = [f"## 2. Latency hiding: every page answers after {s.latency_delay_s:g} s, "
                "concurrency = N\n",
                "Over the floor = wall time of the process − the delay. Server: corocrawl serve, "
                f"{os.cpu_count()} threads.\n",
                "| client | N | wall s | over the floor s | peak RSS MiB |",
                "|---|---:|---:|---:|---:|"]
        with corocrawl_server(self.corocrawl, os.cpu_count()) as base:
            for n in s.latency_urls:
                urls = [f"{base}/page/{i}?delay={delay_ms}" for i in range(n)]
                url_file = write_url_file(self.scratch, urls)
                clients = [corocrawl_client(self.corocrawl, "corocrawl async", "-c", str(n))]
                if self.has["aiohttp"]:
                    clients.append(aiohttp_client("aiohttp + lxml, shared session", n))
                for client in clients:
                    walls, rss = Figure(), Figure()
                    try:
                        for _ in range(s.runs):
                            run = run_client(client, url_file, n, self.log)
                            walls.values.append(run.wall_s)
                            rss.values.append(run.peak_rss_kib / 1024)
                    except CheckFailed as error:
                        reason = self.client_failed(client, error)
                        text.append(f"| {client.name} | {n:,} | failed: {reason} | – | – |")
                        continue
                    over = Figure([w - s.latency_delay_s for w in walls.values])
                    text.append(f"| {client.name} | {n:,} | {walls.text(3)} | {over.text(3)} | "
                                f"{rss.text(1)} |")
                    if client.name == "corocrawl async" and s is FULL:
                        limit = {1_000: 2.2, 10_000: 2.3}.get(n)
                        if limit:
                            self.target(f"{n:,} URLs at 2 s: ≤ {limit} s", f"{walls.median:.3f} s",
                                        walls.median <= limit,
                                        f"{limit - walls.median:+.3f} s")
                        if n == 10_000:
                            mb = rss.median * 1.048576
                            self.target("10,000 URLs at 2 s: ≤ 100 MB peak RSS", f"{mb:.1f} MB",
                                        mb <= 100, f"{100 - mb:+.1f} MB")
        self.sections.append("\n".join(text) + "\n")

    # -- scenario 3 ----------------------------------------------------------------------------
    def pool(self):
        s = self.sizes
        n, d = s.pool_urls, s.pool_delay_s
        text = [f"## 3. Pool mode: N = {n} URLs, each answering after {d:g} s\n",
                "Ideal = ⌈N/T⌉·d. A run longer than 20 s is done once.\n",
                "| threads T | wall s | ideal s | wall / ideal |", "|---:|---:|---:|---:|"]
        worst = None
        with corocrawl_server(self.corocrawl, 1) as base:
            urls = [f"{base}/page/{i}?delay={round(d * 1000)}" for i in range(n)]
            url_file = write_url_file(self.scratch, urls)
            for t in s.pool_threads:
                ideal = math.ceil(n / t) * d
                client = corocrawl_client(self.corocrawl, f"corocrawl pool -t {t}", "-m", "pool",
                                          "-t", str(t))
                runs = 1 if ideal > 20 else s.runs
                wall = self.figure(lambda: run_client(client, url_file, n, self.log).wall_s, runs)
                r = wall.median / ideal
                worst = max(worst or r, r)
                text.append(f"| {t} | {wall.text(3)} | {ideal:g} | {r:.3f} |")
        if s is FULL:
            self.target("pool ≤ 1.05 × ⌈N/T⌉·d for every T", f"worst {worst:.3f} ×",
                        worst <= 1.05, f"{1.05 - worst:+.3f}")
        self.sections.append("\n".join(text) + "\n")

    # -- scenario 4 ----------------------------------------------------------------------------
    def server(self):
        s = self.sizes
        if not self.has["wrk"]:
            self.log("  wrk not installed: scenario 4 skipped")
            self.sections.append("## 4. Server\n\nSkipped: wrk is not installed.\n")
            return
        text = ["## 4. Server: wrk against /page/1\n",
                f"`wrk -t 2 -d {s.wrk_seconds}s`, requests/s. Like with like: corocrawl serve "
                "--threads W against nginx worker_processes W, same page bytes.\n",
                "| W | connections | corocrawl serve | nginx | serve / nginx |",
                "|---:|---:|---:|---:|---:|"]
        workers = sorted({1, os.cpu_count()})
        for w in workers:
            with corocrawl_server(self.corocrawl, w) as ours:
                page = fetch(ours + "/page/1")
                nginx = nginx_server(page, w) if self.has["nginx"] else contextlib.nullcontext()
                with nginx as theirs:
                    for c in s.wrk_connections:
                        mine = self.figure(
                            lambda: wrk_requests_per_second(ours + "/page/1", c, s.wrk_seconds,
                                                            self.notes))
                        if theirs:
                            other = self.figure(lambda: wrk_requests_per_second(
                                theirs + "/page/1", c, s.wrk_seconds, self.notes))
                            r = ratio(mine.median, other.median)
                            text.append(f"| {w} | {c} | {mine.text()} | {other.text()} | "
                                        f"{r:.2f} |")
                            if s is FULL:
                                self.target(f"serve ≥ 0.8 × nginx (W={w}, -c {c})", f"{r:.2f} ×",
                                            r >= 0.8, f"{r / 0.8 - 1:+.0%}")
                        else:
                            text.append(f"| {w} | {c} | {mine.text()} | not installed | – |")
                        self.log(f"  W={w} -c {c}: {mine.text()}")
        self.sections.append("\n".join(text) + "\n")

    # -- scenario 6 ----------------------------------------------------------------------------
    def https(self):
        s = self.sizes
        if not (self.has["nginx"] and shutil.which("openssl")):
            self.log("  nginx or openssl not installed: scenario 6 skipped")
            self.sections.append("## 6. HTTPS\n\nSkipped: nginx or openssl is not installed.\n")
            return
        n = s.https_pages
        certificate, key = self_signed_certificate(self.scratch)
        with corocrawl_server(self.corocrawl, 1) as ours:
            page = fetch(ours + "/page/1")
        text = [f"## 6. HTTPS: {n:,} pages from one host, 100 at a time\n",
                f"nginx (1 worker) over TLS with a self-signed P-256 certificate that every client "
                f"trusts through `--cacert`; the same {len(page)}-byte page as scenario 1. "
                "Wall time of the whole process, median (min–max).\n",
                "| client | wall s | pages/s | peak RSS MiB |", "|---|---:|---:|---:|"]
        walls = {}
        with nginx_server(page, 1, tls=(certificate, key)) as base:
            urls = [f"{base}/page/{i}" for i in range(n)]
            url_file = write_url_file(self.scratch, urls)
            clients = [corocrawl_client(self.corocrawl, "corocrawl async, defaults",
                                        "--cacert", certificate),
                       corocrawl_client(self.corocrawl, "corocrawl pool, defaults", "-m", "pool",
                                        "--cacert", certificate)]
            if self.has["curl"]:
                clients.append(Client("curl -Z --parallel-max 100 (fetch only)",
                                      ["curl", "-sS", "-Z", "--parallel-max", "100", "--cacert",
                                       certificate, "-w", "%{http_code}\\n", "-K",
                                       curl_config_file(self.scratch, urls)],
                                      counts="statuses"))
            walls = self.wall_rows(clients, url_file, n, text, pages_per_s=True)
        self.sections.append("\n".join(text) + "\n")
        ours = walls.get("corocrawl async, defaults")
        if s is FULL and ours:
            curl = walls.get("curl -Z --parallel-max 100 (fetch only)")
            if curl:
                self.target(f"{n:,} HTTPS pages: async ≥ curl -Z", f"{curl / ours:.2f} × curl",
                            ours <= curl, f"{curl / ours - 1:+.0%}")
            if "corocrawl pool, defaults" in walls:
                self.pool_does_not_beat_async("HTTPS", ours, walls["corocrawl pool, defaults"])

    # -- scenario 7 ----------------------------------------------------------------------------
    def many_hosts(self):
        """N host names, each answered by a DNS server of our own after a delay. curl and aiohttp
        ask through the system's resolver (getaddrinfo), so they run in a mount namespace whose
        /etc/resolv.conf names that server; corocrawl is pointed at it with --dns-servers."""
        s = self.sizes
        n, delay_ms = s.dns_hosts, s.dns_delay_ms
        address = "127.0.0.77"  # resolv.conf takes no port: the DNS server listens on 53
        text = [f"## 7. Many hosts behind a slow DNS: {n} host names, each answered after "
                f"{delay_ms} ms\n",
                f"`corocrawl serve --bind {address} --dns-port 53 --dns-delay {delay_ms}` answers "
                f"every name (h0.bench.test …) with its own address. corocrawl: `--dns-servers "
                f"{address}:53`; curl and aiohttp: getaddrinfo, with /etc/resolv.conf bind-mounted "
                "to name the same server (`unshare -m`). Wall time of the whole process, median "
                "(min–max).\n",
                "| client | wall s | peak RSS MiB |", "|---|---:|---:|"]
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.log("  not root (port 53, unshare): scenario 7 for corocrawl only")
        resolv = Path(self.scratch) / "resolv.conf"
        resolv.write_text(f"nameserver {address}\noptions ndots:1 attempts:2 timeout:5\n")

        def system_resolver(argv):
            if os.geteuid() != 0 or not shutil.which("unshare"):
                return None
            script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
            return ["unshare", "-m", "sh", "-c", script, str(resolv), *argv]

        argv = [self.corocrawl, "serve", "--bind", address, "--port", "0", "--threads",
                str(os.cpu_count()), "--dns-port", "53", "--dns-delay", str(delay_ms)]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        walls = {}
        try:
            lines = [process.stdout.readline().strip() for _ in range(2)]
            base = next((l.removeprefix("serving ") for l in lines if l.startswith("serving ")),
                        None)
            if base is None:
                raise CheckFailed(f"corocrawl serve with DNS said {lines!r}")
            port = base.rsplit(":", 1)[1]
            urls = [f"http://h{i}.bench.test:{port}/page/{i}" for i in range(n)]
            url_file = write_url_file(self.scratch, urls)
            clients = [corocrawl_client(self.corocrawl, "corocrawl async, defaults",
                                        "--dns-servers", f"{address}:53"),
                       corocrawl_client(self.corocrawl, "corocrawl pool -t 16", "-m", "pool",
                                        "-t", "16", "--dns-servers", f"{address}:53")]
            curl = ["curl", "-sS", "-Z", "--parallel-max", "100", "-w", "%{http_code}\\n", "-K",
                    curl_config_file(self.scratch, urls)]
            if self.has["curl"] and system_resolver(curl):
                clients.append(Client("curl -Z --parallel-max 100 (fetch only)",
                                      system_resolver(curl), counts="statuses"))
            if self.has["aiohttp"] and system_resolver(["true"]):
                peer = aiohttp_client("aiohttp + lxml, shared session, semaphore 100", 100)
                clients.append(Client(peer.name, system_resolver(peer.argv)))
            walls = self.wall_rows(clients, url_file, n, text)
        finally:
            stop(process)
        self.sections.append("\n".join(text) + "\n")
        ours = walls.get("corocrawl async, defaults")
        if s is FULL and ours:
            curl_s = walls.get("curl -Z --parallel-max 100 (fetch only)")
            if curl_s:
                self.target(f"{n} hosts behind {delay_ms} ms DNS: async ≤ 1.5 × curl -Z's time",
                            f"{ours / curl_s:.2f} × curl", ours <= 1.5 * curl_s,
                            f"{1.5 * curl_s / ours - 1:+.0%}")
            aiohttp_s = walls.get("aiohttp + lxml, shared session, semaphore 100")
            if aiohttp_s:
                self.target(f"{n} hosts behind {delay_ms} ms DNS: async ≥ 10 × aiohttp",
                            f"{aiohttp_s / ours:.1f} ×", aiohttp_s >= 10 * ours,
                            f"{aiohttp_s / ours / 10 - 1:+.0%}")
            if "corocrawl pool -t 16" in walls:
                self.pool_does_not_beat_async("many hosts", ours, walls["corocrawl pool -t 16"])

    # -- scenarios 8 and 9: whole-site crawls --------------------------------------------------
    def recursive_support(self):
        """Why this corocrawl cannot crawl a site (no `crawl -r` yet), or "" when it can."""
        result = subprocess.run([self.corocrawl, "crawl", "--help"], capture_output=True,
                                text=True, timeout=30)
        if re.search(r"^\s*-r,", result.stdout, re.M) and "--max-pages" in result.stdout:
            return ""
        return "this build's `corocrawl crawl` has no `-r`/`--max-pages`"

    def serve_site_support(self, base):
        """Why this `corocrawl serve` has no synthetic site, or "" when it has."""
        try:
            fetch(serve_site_url(base, 10))
            return ""
        except OSError as error:
            return f"this build's `corocrawl serve` has no /site/ ({error})"

    def site_client_runs(self, client, seed, n, runs=None, timeout_s=SITE_TIMEOUT_S):
        """Runs `client` from `seed` (a site of n pages) up to `runs` times, once only when a run
        is longer than ONCE_PAST_S; every run must exit 0. Returns (wall s, peak RSS MiB: Figures;
        Fetched of the run that fetched the fewest pages)."""
        walls, rss, fetched = Figure(), Figure(), None
        for _ in range(runs or self.sizes.runs):
            with tempfile.TemporaryDirectory(dir=self.scratch, prefix="site-") as folder:
                argv = [a.replace("{seed}", seed).replace("{scratch}", folder)
                        for a in client.argv]
                stdout_path = Path(folder) / "stdout"
                run = run_measured(argv, timeout_s=timeout_s, stdout_path=stdout_path)
                got = site_pages_fetched(client.output, stdout_path, run.stderr, n)
            if run.status != 0:
                raise CheckFailed(f"{client.name}: exit status {run.status}, {got.distinct} of "
                                  f"{n} pages; stderr: {run.stderr.strip()[-400:]}")
            walls.values.append(run.wall_s)
            rss.values.append(run.peak_rss_kib / 1024)
            if fetched is None or (got.distinct, -got.records) < (fetched.distinct,
                                                                  -fetched.records):
                fetched = got
            self.log(f"  {client.name}: {run.wall_s:.3f} s, {run.peak_rss_kib / 1024:.1f} MiB, "
                     f"{got.distinct} of {n} pages, {got.records - got.distinct} repeats")
            if run.wall_s > ONCE_PAST_S:
                break
        return walls, rss, fetched

    def site_rows(self, clients, seed, n, text):
        """A table row per client; returns {name: (pages/s Figure, peak RSS MiB Figure,
        Fetched)} of those that ran. Fetching fewer pages, or some twice, is marked in the row and
        fails the run for corocrawl; a peer's is a finding, except that a peer missing pages in
        --smoke fails it (its script is broken: fetching a page twice is what wget does with
        corocrawl serve's links, whose query comes in either order)."""
        results = {}
        for client in clients:
            if client.cannot:
                text.append(f"| {client.name} | cannot: {client.cannot} | – | – | – | – |")
                self.log(f"  {client.name}: cannot: {client.cannot}")
                continue
            try:
                walls, rss, fetched = self.site_client_runs(client, seed, n)
            except CheckFailed as error:
                text.append(f"| {client.name} | failed: {self.client_failed(client, error)} "
                            "| – | – | – | – |")
                continue
            pps = Figure([fetched.distinct / w for w in walls.values])
            results[client.name] = (pps, rss, fetched)
            text.append(f"| {client.name} | {fetched.text()} | {fetched.repeats()} | "
                        f"{walls.text(3)} | {pps.text()} | {rss.text(1)} |")
            if not fetched.every_page_once:
                problem = (f"{client.name}: {fetched.distinct:,} of {n:,} pages, "
                           f"{fetched.records - fetched.distinct:,} fetched again")
                if client.name.startswith("corocrawl") or \
                        (self.args.smoke and fetched.distinct < n):
                    self.failures.append(problem)
                else:
                    self.peer_failures.append(problem)
        return results

    SITE_TABLE = ["| client | pages fetched | fetched again | wall s | pages/s | peak RSS MiB |",
                  "|---|---:|---:|---:|---:|---:|"]

    def site_crawl(self):
        s = self.sizes
        n = s.site_pages
        cannot = self.recursive_support()
        ours_name = "corocrawl async, --per-host 100"
        ours = corocrawl_site_client(self.corocrawl, ours_name, cannot=cannot)
        text = [f"## 8. Site crawl: {n:,} pages from one seed, each page once\n",
                f"Every page is about 1 KB with {site_gen.LINKS_PER_PAGE} links to others: the "
                "tree links 2K+1 and 2K+2 (all pages reachable from page 0) and 12 fixed "
                "pseudo-random ones, relative (`5.html`, `./5.html`, `/site/page/5.html`) and "
                "absolute. nginx (1 worker) serves them as files written by `bench/site_gen.py`; "
                "`corocrawl serve` (1 thread) generates its own site of the same size and fan-out "
                f"(`/site/page/0?n={n}&fan={SITE_FAN}&extras=0`: about 1.5 KB a page, links in "
                "more shapes, `<base>`, fragments, the query in either order — a page is page K "
                "whatever its query, so a tool that does not sort the query fetches some pages "
                "twice). Each tool starts from page 0 and "
                "follows every link of the host; corocrawl: `crawl -r -l inf --max-pages inf -f "
                "jsonl -q --per-host 100` (100 requests to the host at once, as the peers are "
                "given). *Pages fetched* counts the distinct pages 0…N−1 that each run "
                "reported fetched with status 200 (corocrawl, Scrapy, Crawlee: their records; "
                "wget: its log), *fetched again* the records beyond one per page; a tool that "
                "missed pages or fetched one twice is marked in bold. Pages/s = distinct pages / "
                "wall time of the whole process (start-up included), median (min–max); a run "
                f"longer than {ONCE_PAST_S} s is done once. Scrapy and Crawlee run against nginx "
                "only.\n"]
        servers = []
        if self.has["nginx"]:
            servers.append(("nginx (1 worker), static files", "nginx"))
        else:
            self.log("  nginx not installed: scenario 8 against corocrawl serve only")
        servers.append(("corocrawl serve (1 thread)", "serve"))
        figures = {}
        for server_name, kind in servers:
            clients = [ours]
            if self.has["wget"]:
                clients.append(wget_site_client())
            if kind == "nginx":
                if self.has["scrapy"]:
                    clients.append(scrapy_site_client())
                if self.has["crawlee"]:
                    shutil.copy(PEERS / "crawlee_site.mjs", self.crawlee_dir)
                    clients.append(crawlee_site_client(self.crawlee_dir))
                    if not self.args.smoke:
                        clients.append(crawlee_site_client(self.crawlee_dir, fixed=True))
            text += [f"### Against {server_name}\n"] + self.SITE_TABLE
            self.log(f"  against {server_name}")
            if kind == "nginx":
                with nginx_server(None, 1, site=lambda www, base: site_gen.write_site(
                        www, n, base)) as base:
                    figures[server_name] = self.site_rows(clients, base + site_gen.page_path(0),
                                                          n, text)
            else:
                with corocrawl_server(self.corocrawl, 1) as base:
                    no_site = self.serve_site_support(base)
                    if no_site:
                        text.append(f"| (all) | cannot: {no_site} | – | – | – | – |")
                        self.log(f"  cannot: {no_site}")
                    else:
                        figures[server_name] = self.site_rows(clients, serve_site_url(base, n),
                                                              n, text)
            text.append("")
        self.sections.append("\n".join(text) + "\n")
        if s is not FULL:
            return
        nginx = figures.get("nginx (1 worker), static files", {})
        mine = nginx.get(ours_name)
        wanted = [("wget -r -l inf -np (1 connection, no extraction)", 3, "wget -r"),
                  ("Crawlee CheerioCrawler, maxConcurrency 100", 30, "Crawlee"),
                  ("Scrapy CrawlSpider, CONCURRENT_REQUESTS=100", 100, "Scrapy CrawlSpider")]
        for name, factor, short in wanted:
            label = f"{n:,}-page site: pages/s ≥ {factor:g} × {short} (nginx)"
            if mine is None or name not in nginx:
                why = cannot or ("corocrawl failed" if mine is None else f"{short} did not run")
                self.target(label, f"cannot: {why}", None, "–")
                continue
            r = mine[0].median / nginx[name][0].median
            self.target(label, f"{r:.1f} ×", r >= factor, f"{r / factor - 1:+.0%}")
        label = f"{n:,}-page site: peak RSS ≤ 64 MB (nginx)"
        if mine is None:
            self.target(label, f"cannot: {cannot or 'corocrawl failed'}", None, "–")
        else:
            mb = mine[1].median * 1.048576
            self.target(label, f"{mb:.1f} MB", mb <= 64, f"{64 - mb:+.1f} MB")

    def million(self):
        s = self.sizes
        n, small = s.million_pages, s.site_pages
        cannot = self.recursive_support()
        name = "corocrawl async, --per-host 100"
        text = [f"## 9. Site crawl at scale: {n:,} pages from `corocrawl serve`\n",
                f"`corocrawl serve` (1 thread) generates the site (`/site/page/0?n=N&fan={SITE_FAN}"
                "&extras=0`: only page-to-page links); corocrawl crawls it from page 0 with "
                "`crawl -r -l inf --max-pages inf -f jsonl -q --per-host 100`, defaults otherwise, its records "
                f"to a file. The {small:,}-page run is against the same server process, the "
                f"reference for pages/s (median of {s.runs}); the {n:,}-page run is done once. "
                "Columns as in scenario 8. No peer: at their rates it would take hours.\n",
                "| pages N | pages fetched | fetched again | wall s | pages/s | peak RSS MiB |",
                "|---:|---:|---:|---:|---:|---:|"]
        results = {}
        with corocrawl_server(self.corocrawl, 1) as base:
            cannot = cannot or self.serve_site_support(base)
            for size, runs in ((small, s.runs), (n, 1)):
                client = corocrawl_site_client(self.corocrawl, name, cannot=cannot)
                if cannot:
                    text.append(f"| {size:,} | cannot: {cannot} | – | – | – | – |")
                    continue
                try:
                    walls, rss, fetched = self.site_client_runs(
                        client, serve_site_url(base, size), size, runs,
                        timeout_s=max(SITE_TIMEOUT_S, size // 500))
                except CheckFailed as error:
                    text.append(f"| {size:,} | failed: {self.client_failed(client, error)} "
                                "| – | – | – | – |")
                    continue
                pps = Figure([fetched.distinct / w for w in walls.values])
                results[size] = (pps, rss, fetched)
                text.append(f"| {size:,} | {fetched.text()} | {fetched.repeats()} | "
                            f"{walls.text(3)} | {pps.text()} | {rss.text(1)} |")
                if not fetched.every_page_once:
                    self.failures.append(f"{size:,}-page crawl: {fetched.distinct:,} of {size:,} "
                                         f"pages, {fetched.records - fetched.distinct:,} again")
        self.sections.append("\n".join(text) + "\n")
        if s is not FULL:
            return
        big, ref = results.get(n), results.get(small)
        why = f"cannot: {cannot or 'corocrawl failed'}"
        label = f"{n:,} pages: every page fetched once"
        if big:
            self.target(label, f"{big[2].distinct:,} distinct, {big[2].records:,} records",
                        big[2].every_page_once, f"{big[2].distinct - n:+,}")
            mb = big[1].median * 1.048576
            self.target(f"{n:,} pages: peak RSS ≤ 300 MB", f"{mb:.1f} MB", mb <= 300,
                        f"{300 - mb:+.1f} MB")
        else:
            self.target(label, why, None, "–")
            self.target(f"{n:,} pages: peak RSS ≤ 300 MB", why, None, "–")
        label = f"{n:,} pages: pages/s within 20 % of the {small:,}-page run (serve)"
        if big and ref:
            r = big[0].median / ref[0].median
            self.target(label, f"{big[0].median:,.0f} vs {ref[0].median:,.0f} ({r:.2f} ×)",
                        r >= 0.8, f"{r / 0.8 - 1:+.0%}")
        else:
            self.target(label, why, None, "–")

    # -- scenario 5 ----------------------------------------------------------------------------
    def parse(self):
        s = self.sizes
        argv = [self.args.parse_bench, "--benchmark_format=json",
                f"--benchmark_min_time={s.parse_min_time_s}",
                f"--benchmark_repetitions={max(s.runs, 1)}"]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise CheckFailed(f"parse benchmark: status {result.returncode}: {result.stderr}")
        report = json.loads(result.stdout)
        text = ["## 5. Parse cost: extraction alone (HTML parse + the XPath), one thread\n",
                "Google Benchmark, `bench/parse_bench.cpp`; the page is a realistic mix of "
                "markup and text grown to the size.\n",
                "| page | pages/s | MB/s |", "|---|---:|---:|"]
        by_size = {}
        links = {}  # extract_links/1: the default links; /0: the same as a --follow expression
        for b in report["benchmarks"]:
            if b.get("run_type") != "iteration":
                continue
            if b.get("error_occurred"):
                raise CheckFailed(f"parse benchmark: {b.get('error_message')}")
            if b["name"].startswith("extract_links/"):
                links.setdefault(b["name"].split("/")[1], Figure()).values.append(
                    b["items_per_second"])
                continue
            entry = by_size.setdefault(int(b["page_bytes"]), (Figure(), Figure()))
            entry[0].values.append(b["items_per_second"])
            entry[1].values.append(b["bytes_per_second"] / 1e6)
        if len(by_size) != 2:
            raise CheckFailed(f"parse benchmark: expected two page sizes, got {sorted(by_size)}")
        for size, (pages, mbs) in sorted(by_size.items()):
            text.append(f"| {size:,} bytes | {pages.text()} | {mbs.text(1)} |")
            self.log(f"  {size} bytes: {pages.text()} pages/s")
        for key, what in (("1", "the default links"), ("0", "the same links by --follow")):
            if key in links:
                text.append(f"| a site page, {what}: parse, find, resolve 14 links | "
                            f"{links[key].text()} | |")
        self.sections.append("\n".join(text) + "\n")

    # -- the report ----------------------------------------------------------------------------
    def machine(self):
        model = "unknown"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        load = os.getloadavg()
        return model, load

    def versions(self):
        def dpkg(package):
            r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                               capture_output=True, text=True)
            return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else "not installed"

        corocrawl = subprocess.run([self.corocrawl, "--version"], capture_output=True,
                                   text=True).stdout.strip()
        rows = [("corocrawl", corocrawl)]
        for package in ("wrk", "nginx", "python3", "python3-aiohttp", "python3-lxml",
                        "python3-scrapy", "curl", "libbenchmark-dev", "libxml2", "g++",
                        "libboost1.81-dev", "wget", "nodejs", "redis-server", "libhiredis-dev"):
            rows.append((package, dpkg(package)))
        crawlee = "not installed"
        with contextlib.suppress(OSError, ValueError):
            crawlee = json.loads((self.crawlee_dir / "node_modules" / "crawlee" /
                                  "package.json").read_text())["version"]
        rows.append((f"crawlee (npm, in {self.crawlee_dir})", crawlee))
        return rows

    def report(self, load_before):
        model, load_after = self.machine()
        lines = ["# bench/RESULTS.md", "",
                 "Written by `bench/run`" + (" --smoke (tiny sizes: not figures to quote)"
                                             if self.args.smoke else "") +
                 f" on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(self.started))}, "
                 f"in {time.time() - self.started:.0f} s.", "",
                 "## Machine", "",
                 f"- {os.cpu_count()} cores (nproc), {model}; Linux {platform.release()}",
                 f"- load average before / after: {load_before[0]:.2f} / {load_after[0]:.2f}"
                 + ("  — **a loaded machine: treat the figures as noisy**"
                    if load_before[0] > 0.5 * os.cpu_count() else "")
                 + " (the load after is the suite's own)",
                 "- net.core.somaxconn (the longest accept queue): "
                 + Path("/proc/sys/net/core/somaxconn").read_text().strip(),
                 f"- every figure: median of {self.sizes.runs} runs (min–max) unless noted; "
                 "all traffic on 127.0.0.1", ""]
        lines += ["## Versions", "", "| tool | version |", "|---|---|"]
        lines += [f"| {name} | {version} |" for name, version in self.versions()]
        lines.append("")
        if self.skipped:
            lines += [f"Skipped (not installed): {', '.join(self.skipped)}.", ""]
        if self.targets:
            lines += ["## Targets", "", "| target | measured | | margin |", "|---|---|---|---:|"]
            lines += [f"| {t} | {m} | {'cannot' if ok is None else 'met' if ok else '**missed**'} "
                      f"| {margin} |"
                      for t, m, ok, margin in self.targets]
            lines.append("")
        lines += self.sections
        if self.peer_failures:
            lines += ["## Peers that failed", ""] + [f"- {f}" for f in self.peer_failures] + [""]
        if self.notes:
            lines += ["## Notes", ""] + [f"- {n}" for n in self.notes] + [""]
        if self.failures:
            lines += ["## Failures", ""] + [f"- {f}" for f in self.failures] + [""]
        return "\n".join(lines)

    def run(self):
        load_before = os.getloadavg()
        for tool in self.skipped:
            self.log(f"bench: {tool} is not installed: skipped")
        for number, name, body in self.scenarios():
            if number in self.args.scenarios:
                self.guarded(f"{number}. {name}", body)
        return self.report(load_before)

    def polite(self):
        """The synthetic site under many host names (--resolve), crawled with per-host limits:
        politeness should cost the delay it asks for and nothing more."""
        s = self.sizes
        hosts, pages, per_host, delay = s.polite_hosts, s.polite_pages, 2, 0.05
        ideal = pages * delay
        text = [f"## 10. Polite crawl: {hosts} host names × {pages} pages, `--per-host {per_host} "
                f"--delay {delay}`\n",
                f"`corocrawl serve --record-hosts` (1 thread) answers every name h0.polite.test … "
                "(each resolved to it with `--resolve`); each host's seed is its own synthetic "
                f"site (`/site/page/0?n={pages}&fan=4&extras=0`). corocrawl: `crawl -r -l inf "
                f"--per-host {per_host} --delay {delay}`, robots.txt obeyed (the server answers "
                f"it 404). Every host gets robots.txt and {pages} pages, each request "
                f"{delay} s after the last: the ideal wall time is {pages} × {delay} s = "
                f"{ideal:.2f} s, whatever the number of hosts. The server's own records check "
                "that the limits held: the most requests of one host in progress at once, and "
                "the gaps between its arrivals (the delay separates the starts of requests at "
                "the client; a request that had to connect arrives a little later than one on a "
                "kept connection, so the server sees gaps a few ms either side of it). Median "
                f"(min–max) of {s.runs}.\n",
                "| client | pages | wall s | ideal s | wall / ideal | most at once | "
                "median gap ms | shortest gap ms |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        walls, most, all_gaps, fetched = Figure(), 0, [], 0
        for _ in range(s.runs):
            process = subprocess.Popen([self.corocrawl, "serve", "--port", "0", "--threads", "1",
                                        "--record-hosts"], stdout=subprocess.PIPE, text=True)
            try:
                line = process.stdout.readline().strip()
                if not line.startswith("serving "):
                    raise CheckFailed(f"corocrawl serve --record-hosts said {line!r}")
                base = line.removeprefix("serving ")
                port = base.rsplit(":", 1)[1]
                names = [f"h{i}.polite.test" for i in range(hosts)]
                argv = [self.corocrawl, "crawl", "-r", "-l", "inf", "--max-pages", "inf", "-f",
                        "jsonl", "-q", "--no-progress", "--per-host", str(per_host), "--delay",
                        str(delay)]
                for name in names:
                    argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
                argv += [f"http://{name}:{port}/site/page/0?n={pages}&fan=4&extras=0"
                         for name in names]
                run = run_measured(argv, timeout_s=max(60, 10 * ideal))
                if run.status != 0:
                    raise CheckFailed(f"corocrawl exited {run.status}: {run.stderr[-300:]}")
                records = [json.loads(l) for l in run.stdout.splitlines() if l.strip()]
                fetched = sum(1 for r in records if str(r.get("status")) == "200")
                with urllib.request.urlopen(base + "/hosts", timeout=10) as answer:
                    seen = json.load(answer)
            finally:
                stop(process)
            walls.values.append(run.wall_s)
            for name in names:
                record = seen.get(name, {})
                most = max(most, record.get("max_concurrent", 0))
                all_gaps += record.get("gaps_ms", [])
        r = walls.median / ideal
        shortest, typical = min(all_gaps, default=0), statistics.median(all_gaps or [0])
        text.append(f"| corocrawl async | {fetched:,} of {hosts * pages:,} | {walls.text(3)} | "
                    f"{ideal:.2f} | {r:.3f} | {most} | {typical:.1f} | {shortest:.1f} |")
        self.sections.append("\n".join(text) + "\n")
        if fetched != hosts * pages:
            raise CheckFailed(f"{fetched} pages fetched of {hosts * pages}")
        if most > per_host or typical < delay * 1000 or shortest < delay * 1000 * 0.75:
            raise CheckFailed(f"the limits did not hold: {most} at once, gaps of {typical} ms "
                              f"(median) and {shortest} ms (shortest)")
        if s is FULL:
            self.target(f"polite crawl, {hosts} hosts: wall ≤ 1.1 × the ideal {ideal:.2f} s",
                        f"{r:.3f} ×", r <= 1.1, f"{1.1 - r:+.3f}")

    # -- scenario 11 ---------------------------------------------------------------------------
    def state_support(self):
        """Why this corocrawl cannot keep a crawl's state (no `--state` yet), or "" when it can."""
        result = subprocess.run([self.corocrawl, "crawl", "--help"], capture_output=True,
                                text=True, timeout=30)
        return "" if "--state" in result.stdout else "this build's `corocrawl crawl` has no --state"

    def resumable(self):
        """The site crawl of scenario 8 with `--state DIR` and without; the state's size; how
        long a crawl with nothing left to do takes to resume a big state."""
        s = self.sizes
        n, big = s.site_pages, s.resume_urls
        cannot = self.recursive_support() or self.state_support()
        plain_name = "corocrawl async, --per-host 100"
        state_name = plain_name + ", --state DIR"
        text = [f"## 11. Resumable crawl: `--state DIR`\n",
                f"First the {n:,}-page site of scenario 8 from `corocrawl serve` (1 thread, "
                f"`/site/page/0?n={n}&fan={SITE_FAN}&extras=0`), corocrawl with scenario 8's "
                "options, without and with `--state DIR` (a fresh folder each run: the frontier "
                "and one row per finished URL in SQLite), alternately, median of "
                f"{s.runs}; *state* is `du` of DIR at the end over its records. Then a list "
                f"crawl of {big:,} `/page/K` URLs of the same server with `-o FILE --state DIR` "
                "(done once, to make the state), and the resume: the identical command again, "
                "with nothing left to fetch: open and check the state, load it, rewrite -o FILE "
                f"from it ({big:,} records), end. Median of {s.runs} resumes.\n",
                "| run | URLs | wall s | pages/s | peak RSS MiB | state bytes / URL |",
                "|---|---:|---:|---:|---:|---:|"]
        figures = {}
        with corocrawl_server(self.corocrawl, 1) as base:
            cannot = cannot or self.serve_site_support(base)
            if cannot:
                text.append(f"| (all) | cannot: {cannot} | – | – | – | – |")
                self.log(f"  cannot: {cannot}")
            else:
                figures = self.state_site_rows(base, n, plain_name, state_name, text)
                self.resume_rows(base, big, text)  # figures without a target: the issue sets none
        self.sections.append("\n".join(text) + "\n")
        if s is not FULL:
            return
        why = f"cannot: {cannot or 'corocrawl failed'}"
        label = f"{n:,}-page site: pages/s with --state ≥ 0.7 × without (serve)"
        plain, stated = figures.get(plain_name), figures.get(state_name)
        if plain and stated:
            r = stated[0].median / plain[0].median
            self.target(label, f"{stated[0].median:,.0f} vs {plain[0].median:,.0f} ({r:.2f} ×)",
                        r >= 0.7, f"{r / 0.7 - 1:+.0%}")
        else:
            self.target(label, why, None, "–")

    def state_site_rows(self, base, n, plain_name, state_name, text):
        """Scenario 8's crawl of `corocrawl serve`'s site without and with --state, alternately:
        {name: (pages/s, peak RSS MiB, state bytes per URL: Figures)}."""
        seed = serve_site_url(base, n)
        clients = [(plain_name, corocrawl_site_client(self.corocrawl, plain_name)),
                   (state_name, corocrawl_site_client(self.corocrawl, state_name, "--state",
                                                      "{scratch}/state"))]
        figures = {name: (Figure(), Figure(), Figure()) for name, _ in clients}
        for _ in range(self.sizes.runs):
            for name, client in clients:
                with tempfile.TemporaryDirectory(dir=self.scratch, prefix="state-") as folder:
                    argv = [a.replace("{seed}", seed).replace("{scratch}", folder)
                            for a in client.argv]
                    stdout_path = Path(folder) / "stdout"
                    run = run_measured(argv, timeout_s=SITE_TIMEOUT_S, stdout_path=stdout_path)
                    got = site_pages_fetched("jsonl", stdout_path, run.stderr, n)
                    state = Path(folder) / "state"
                    state_bytes = disk_usage(state) if state.is_dir() else None
                if run.status != 0 or not got.every_page_once:
                    raise CheckFailed(f"{name}: exit status {run.status}, {got.distinct:,} of "
                                      f"{n:,} pages, {got.records - got.distinct:,} again; "
                                      f"stderr: {run.stderr.strip()[-400:]}")
                if client is clients[1][1] and not state_bytes:
                    raise CheckFailed(f"{name}: no state written in DIR")
                pps, rss, per_url = figures[name]
                pps.values.append(got.distinct / run.wall_s)
                rss.values.append(run.peak_rss_kib / 1024)
                if state_bytes:
                    per_url.values.append(state_bytes / got.records)
                self.log(f"  {name}: {run.wall_s:.3f} s, {got.distinct / run.wall_s:,.0f} "
                         f"pages/s, {run.peak_rss_kib / 1024:.1f} MiB" +
                         (f", state {state_bytes:,} bytes" if state_bytes else ""))
        for name, (pps, rss, per_url) in figures.items():
            walls = Figure([n / p for p in pps.values])
            text.append(f"| {name} | {n:,} | {walls.text(3)} | {pps.text()} | {rss.text(1)} | "
                        f"{per_url.text() if per_url.values else '–'} |")
        return figures

    def resume_rows(self, base, big, text):
        """A list crawl of `big` URLs with --state, then the same command resumed with nothing
        left to do: the resumes' wall times (a Figure)."""
        folder = tempfile.mkdtemp(dir=self.scratch, prefix="resume-")
        try:
            url_file = write_url_file(folder, [f"{base}/page/{i}" for i in range(big)])
            output, state = Path(folder) / "records.jsonl", Path(folder) / "state"
            argv = [self.corocrawl, "crawl", "-i", url_file, "-f", "jsonl", "--no-progress",
                    "-o", str(output), "--state", str(state)]
            made = run_measured(argv, timeout_s=max(SITE_TIMEOUT_S, big // 500))
            if made.status != 0 or count_lines(output) != big:
                raise CheckFailed(f"the {big:,}-URL list crawl with --state: exit status "
                                  f"{made.status}, {count_lines(output):,} records; stderr: "
                                  f"{made.stderr.strip()[-400:]}")
            state_bytes = disk_usage(state)
            text.append(f"| list crawl making the state | {big:,} | {made.wall_s:.3f} | "
                        f"{big / made.wall_s:,.0f} | {made.peak_rss_kib / 1024:.1f} | "
                        f"{state_bytes / big:,.0f} |")
            self.log(f"  made a {big:,}-URL state: {made.wall_s:.1f} s, {state_bytes:,} bytes")
            walls, rss = Figure(), Figure()
            for _ in range(self.sizes.runs):
                output.unlink()  # so the resume must write every record from the state
                run = run_measured(argv, timeout_s=max(RUN_TIMEOUT_S, big // 1000))
                lines = count_lines(output) if output.exists() else 0
                if run.status != 0 or "corocrawl: resuming " not in run.stderr or lines != big:
                    raise CheckFailed(f"the resume: exit status {run.status}, {lines:,} records "
                                      f"in -o FILE; stderr: {run.stderr.strip()[-400:]}")
                if not re.search(r"^corocrawl: 0 URLs,", run.stderr, re.M):
                    raise CheckFailed(f"the resume fetched again: {run.stderr.strip()[-300:]}")
                walls.values.append(run.wall_s)
                rss.values.append(run.peak_rss_kib / 1024)
                self.log(f"  resume: {run.wall_s:.3f} s, {run.peak_rss_kib / 1024:.1f} MiB")
            text.append(f"| resume, nothing left to do | {big:,} | {walls.text(3)} | – | "
                        f"{rss.text(1)} | – |")
            return walls
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def scenarios(self):
        return [(1, "Throughput", self.throughput),
                (2, "Latency hiding", self.latency),
                (3, "Pool mode", self.pool),
                (4, "Server", self.server),
                (5, "Parse cost", self.parse),
                (6, "HTTPS", self.https),
                (7, "Many hosts behind a slow DNS", self.many_hosts),
                (8, "Site crawl", self.site_crawl),
                (9, "Site crawl at scale", self.million),
                (10, "Polite crawl", self.polite),
                (11, "Resumable crawl", self.resumable),
                (12, "Shared crawl through Redis", self.shared)]

    # -- scenario 12 ---------------------------------------------------------------------------
    def frontier_support(self):
        """Why this corocrawl cannot share a crawl (no `--frontier` yet), or "" when it can."""
        result = subprocess.run([self.corocrawl, "crawl", "--help"], capture_output=True,
                                text=True, timeout=30)
        return "" if "--frontier" in result.stdout else \
            "this build's `corocrawl crawl` has no --frontier"

    def shared(self):
        """1, 2 and 4 worker processes crawling one site through one redis-server (a fresh one
        each run), against one `corocrawl serve`; the memory frontier's single process beside
        them. Pages/s, Redis commands per page, Redis memory per seen URL."""
        s = self.sizes
        n = s.shared_pages
        text = [f"## 12. Shared crawl through Redis: `--frontier`, 1 to {max(s.shared_workers)} "
                "processes\n",
                f"The {n:,}-page site of scenario 8 from one `corocrawl serve` (1 thread, "
                f"`/site/page/0?n={n}&fan={SITE_FAN}&extras=0`). N worker processes started "
                "together, each `crawl -r -l inf --max-pages inf -f jsonl -q --no-progress "
                "--per-host 100 --frontier unix://SOCKET?name=NAME -o FILE_i SEED` (the same "
                "seed to each, as users run it), through a redis-server of their own for each run "
                "(a unix socket, the append-only file on with `appendfsync everysec`, no RDB "
                "snapshots: as tests/redis_server.hpp runs it). Wall time from the first start to "
                "the last exit; every run's records are merged and must hold every page once. "
                "*Commands / page*: the server's `INFO stats` total_commands_processed over the "
                "run per page: every command Redis ran for the workers, each command a Lua "
                "script runs counted as well as the EVALSHA that ran it; "
                "*memory / seen URL*: `INFO memory` used_memory after the run less before it, "
                "over `corocrawl frontier --json`'s `seen` (the fingerprints Redis holds: a URL's "
                "canonical form, and the spelling it was found in where that differs, so about 2 "
                "per URL on this site), and over the URLs admitted; *Redis CPU*: `INFO cpu` "
                "used_cpu_user + used_cpu_sys over the run, the share of the wall time one core "
                "spent in redis-server. The memory frontier's single process (scenario 8's "
                f"corocrawl) is the reference row. Median (min–max) of {s.runs}; peak RSS is the "
                "largest worker's.\n",
                "| frontier | processes | wall s | pages/s | × 1 Redis process | × memory | "
                "commands / page | memory B / seen | memory B / URL | Redis CPU s | "
                "peak RSS MiB |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        cannot = self.recursive_support() or self.frontier_support()
        if not cannot and not self.has["redis-server"]:
            cannot = f"{REDIS_SERVER} is not installed"
        with corocrawl_server(self.corocrawl, 1) as base:
            cannot = cannot or self.serve_site_support(base)
            if cannot:
                text.append(f"| (all) | – | cannot: {cannot} | – | – | – | – | – | – | – | – |")
                self.log(f"  cannot: {cannot}")
                self.sections.append("\n".join(text) + "\n")
                return
            seed = serve_site_url(base, n)
            plain = Figure()
            rss_plain = Figure()
            for _ in range(s.runs):
                with tempfile.TemporaryDirectory(dir=self.scratch, prefix="shared-") as folder:
                    out = Path(folder) / "records.jsonl"
                    argv = [a.replace("{seed}", seed) for a in corocrawl_site_client(
                        self.corocrawl, "plain").argv]
                    run = run_measured(argv, timeout_s=SITE_TIMEOUT_S, stdout_path=out)
                    got = site_pages_fetched("jsonl", out, run.stderr, n)
                if run.status != 0 or not got.every_page_once:
                    raise CheckFailed(f"memory frontier: exit status {run.status}, "
                                      f"{got.distinct:,} of {n:,} pages, "
                                      f"{got.records - got.distinct:,} again; stderr: "
                                      f"{run.stderr.strip()[-400:]}")
                plain.values.append(got.distinct / run.wall_s)
                rss_plain.values.append(run.peak_rss_kib / 1024)
                self.log(f"  memory frontier, 1 process: {run.wall_s:.3f} s, "
                         f"{got.distinct / run.wall_s:,.0f} pages/s")
            text.append(f"| memory | 1 | {Figure([n / v for v in plain.values]).text(3)} | "
                        f"{plain.text()} | – | 1.00 | – | – | – | – | {rss_plain.text(1)} |")
            single = None
            for workers in s.shared_workers:
                figures = [Figure() for _ in range(6)]
                pps, commands, memory, per_url, cpu, rss = figures
                for _ in range(s.runs):
                    for figure, value in zip(figures, self.shared_run(seed, n, workers)):
                        figure.values.append(value)
                if workers == 1:
                    single = pps.median
                walls = Figure([n / v for v in pps.values])
                text.append(f"| Redis | {workers} | {walls.text(3)} | {pps.text()} | "
                            f"{ratio(pps.median, single):.2f} | "
                            f"{ratio(pps.median, plain.median):.2f} | {commands.text(1)} | "
                            f"{memory.text()} | {per_url.text()} | {cpu.text(2)} | "
                            f"{rss.text(1)} |")
        self.sections.append("\n".join(text) + "\n")

    def shared_run(self, seed, n, workers):
        """One crawl of the site by `workers` processes through a fresh redis-server:
        (pages/s, commands per page, used_memory bytes per seen fingerprint and per admitted URL,
        Redis CPU seconds, the largest peak RSS MiB)."""
        with tempfile.TemporaryDirectory(dir=self.scratch, prefix="redis-") as folder, \
                redis_server(folder) as sock:
            address = f"unix://{sock}?name=bench"
            commands_before = int(redis_info(sock, "stats")["total_commands_processed"])
            memory_before = int(redis_info(sock, "memory")["used_memory"])
            cpu = redis_info(sock, "cpu")
            cpu_before = float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
            outputs = [Path(folder) / f"records-{i}.jsonl" for i in range(workers)]
            argvs = [[a.replace("{seed}", seed) for a in corocrawl_site_client(
                self.corocrawl, "shared", "--frontier", address, "-o", str(out)).argv]
                for out in outputs]
            wall, runs = run_together(argvs)
            cpu = redis_info(sock, "cpu")
            cpu_s = float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]) - cpu_before
            # The three INFOs before the run and the one just now count in the figure (a command
            # is counted once it has run, so the INFO that reads the figure is not in it).
            commands = int(redis_info(sock, "stats")["total_commands_processed"]) - \
                commands_before - 4
            memory = int(redis_info(sock, "memory")["used_memory"]) - memory_before
            status = subprocess.run([self.corocrawl, "frontier", address, "--json"],
                                    capture_output=True, text=True, timeout=60)
            counts = json.loads(status.stdout) if status.returncode == 0 else {}
            merged = Path(folder) / "merged.jsonl"
            with open(merged, "wb") as union:
                for out in outputs:
                    if out.exists():
                        union.write(out.read_bytes())
            got = site_pages_fetched("jsonl", merged, "", n)
            shares = ", ".join(f"{count_lines(o):,}" if o.exists() else "none"
                               for o in outputs) if workers > 1 else ""
        failed = [f"worker {i}: exit status {r.status}, stderr: {r.stderr.strip()[-300:]}"
                  for i, r in enumerate(runs) if r.status != 0]
        if failed or not got.every_page_once or counts.get("done") != n:
            raise CheckFailed(f"{workers} Redis workers: {got.distinct:,} of {n:,} pages, "
                              f"{got.records - got.distinct:,} again, frontier "
                              f"{status.stdout.strip() or status.stderr.strip()}; "
                              + "; ".join(failed))
        seen = counts.get("seen") or n
        admitted = counts.get("admitted") or n
        self.log(f"  {workers} Redis worker(s): {wall:.3f} s, {n / wall:,.0f} pages/s, "
                 f"{commands / n:.1f} commands/page, {memory / seen:,.0f} B/seen, "
                 f"{memory / admitted:,.0f} B/URL, Redis CPU {cpu_s:.2f} s"
                 + (f" (records: {shares})" if shares else ""))
        return (n / wall, commands / n, memory / seen, memory / admitted, cpu_s,
                max(r.peak_rss_kib for r in runs) / 1024)


def scenario_numbers(text):
    """"8,9" or "1-7" or "2,8-9": the set of scenario numbers."""
    numbers = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            numbers.update(range(int(first), int(last or first) + 1))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a scenario number or range: {part!r}")
    if not numbers <= set(range(1, 13)):
        raise argparse.ArgumentTypeError(f"scenarios are numbered 1 to 12: {text!r}")
    return numbers


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="everything tiny; installs nothing")
    parser.add_argument("--corocrawl", required=True, help="the corocrawl binary")
    parser.add_argument("--parse-bench", help="the corocrawl_parse_bench binary (scenario 5)")
    parser.add_argument("--crawlee", default=str(CRAWLEE_DIR),
                        help="the folder npm installed crawlee into (default: build/crawlee)")
    parser.add_argument("--scenarios", default="1-12", type=scenario_numbers,
                        help="which scenarios to run: numbers and ranges, e.g. 8,9 or 1-7 "
                        "(default: all, 1-12)")
    parser.add_argument("--output", help="where to write the report (default: bench/RESULTS.md; "
                        "with --smoke or --scenarios: stdout only)")
    args = parser.parse_args()
    if 5 in args.scenarios and not args.parse_bench:
        parser.error("scenario 5 needs --parse-bench")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so servers are stopped on the way
    sizes = SMOKE if args.smoke else FULL
    with tempfile.TemporaryDirectory(prefix="corocrawl-bench-") as scratch:
        suite = Suite(args, sizes, scratch)
        report = suite.run()
    # Only a full run of every scenario replaces RESULTS.md; --smoke and --scenarios print it.
    whole = not args.smoke and args.scenarios == set(range(1, 13))
    output = args.output or (str(HERE / "RESULTS.md") if whole else None)
    if output:
        Path(output).write_text(report)
        print(f"bench: wrote {output}", file=sys.stderr)
    else:
        print(report)
    if suite.failures:
        print("bench: FAILED:\n  " + "\n  ".join(suite.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
