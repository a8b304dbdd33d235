// `crawl --frontier ADDRESS`: several crawler processes share one crawl through a real
// redis-server (tests/redis_server.hpp, on a unix socket of its own). Every test runs the real
// binary as child processes against the bundled server in this process over loopback, and
// judges from outside: the records the workers wrote (the union of their -o FILEs), what the
// server saw (each request's target and the most at once, per host: ServerOptions::record_hosts),
// and `corocrawl frontier ADDRESS --json`. The expected pages come from the synthetic site's own
// graph (test_server/site.hpp).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "corocrawl/url.hpp"
#include "records.hpp"
#include "redis_server.hpp"
#include "site.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using test_server::SiteShape;
using testing::canonical;
using testing::run_corocrawl;

// How long a whole multi-process crawl may take before the test gives up on it: far beyond
// what it needs (each takes seconds here), inside ctest's 120 s.
constexpr auto crawl_deadline = 100s;

// A `corocrawl ARGS...` child running beside the test, its stdout and stderr in files of its own.
class Worker {
  public:
    explicit Worker(std::vector<std::string> args) : args_(std::move(args)) {}
    ~Worker() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        std::remove(out_.c_str());
        std::remove(err_.c_str());
    }
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void start() {
        std::vector<std::string> storage{COROCRAWL_BINARY};
        storage.insert(storage.end(), args_.begin(), args_.end());
        std::vector<char*> argv;
        for (auto& arg : storage) argv.push_back(arg.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        // None of the test's other descriptors: the bundled server's sockets (Asio opens them
        // without O_CLOEXEC) would stay open in the worker after the server has closed them.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
        posix_spawn_file_actions_destroy(&actions);
        ASSERT_GT(pid_, 0) << "cannot start " << COROCRAWL_BINARY;
    }

    // Whether it has exited (reaped: status() then holds its exit status).
    bool exited() {
        if (pid_ <= 0) return true;
        int wstatus = 0;
        if (waitpid(pid_, &wstatus, WNOHANG) != pid_) return false;
        status_ = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        pid_ = 0;
        return true;
    }
    void signal(int number) {
        if (pid_ > 0) ::kill(pid_, number);
    }
    // SIGKILL, and reaped.
    void kill() {
        signal(SIGKILL);
        while (!exited()) std::this_thread::sleep_for(1ms);
    }
    int status() const { return status_; }
    pid_t pid() const { return pid_; }
    std::string out() const { return testing::read_file(out_); }
    std::string err() const { return testing::read_file(err_); }

  private:
    std::vector<std::string> args_;
    std::string out_ = testing::scratch_path("stdout");
    std::string err_ = testing::scratch_path("stderr");
    pid_t pid_ = 0;
    int status_ = -1;
};

// Waits until every worker has exited, or `deadline` has passed since `start` (then kills the
// rest and fails the test). Returns whether they all exited by themselves.
bool wait_for_all(std::vector<std::unique_ptr<Worker>>& workers,
                  std::chrono::steady_clock::time_point start,
                  std::chrono::seconds deadline = crawl_deadline) {
    for (;;) {
        bool all = true;
        for (auto& worker : workers) all = worker->exited() && all;
        if (all) return true;
        if (std::chrono::steady_clock::now() > start + deadline) break;
        std::this_thread::sleep_for(10ms);
    }
    for (std::size_t i = 0; i < workers.size(); ++i) {
        if (workers[i]->exited()) continue;
        workers[i]->kill();
        const std::string err = workers[i]->err();
        ADD_FAILURE() << "worker " << i << " had not exited after " << deadline.count()
                      << " s; its stderr ends:\n"
                      << err.substr(err.size() > 2000 ? err.size() - 2000 : 0);
    }
    return false;
}

// The records of -f jsonl outputs, merged, by canonical URL.
struct Records {
    std::map<std::string, std::size_t> times;           // canonical URL -> its records
    std::map<std::string, boost::json::object> by_url;  // canonical URL -> its (last) record
    std::size_t count = 0;

    std::size_t twice() const {
        std::size_t urls = 0;
        for (const auto& [url, n] : times) urls += n > 1;
        return urls;
    }
    // Adds a worker's -o FILE; `cut` when the worker was killed (its last line may be partial).
    std::size_t add(std::string text, bool cut = false) {
        if (cut) text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
        std::size_t added = 0;
        for (const auto& line : testing::lines(text)) {
            boost::system::error_code error;
            auto value = boost::json::parse(line, error);
            if (error || !value.is_object()) {
                ADD_FAILURE() << "not a whole JSON record: " << line.substr(0, 200);
                continue;
            }
            auto& object = value.as_object();
            const std::string key = canonical(std::string(object.at("url").as_string()));
            ++times[key];
            by_url[key] = std::move(object);
            ++count;
            ++added;
        }
        return added;
    }
};

// `corocrawl frontier ADDRESS --json`.
struct Counts {
    int status = -1;
    std::string out, err;
    boost::json::object json;

    std::int64_t operator[](const char* key) const {
        const auto* value = json.if_contains(key);
        if (value == nullptr || !value->is_int64()) {
            ADD_FAILURE() << "`corocrawl frontier --json` gave no number \"" << key << "\": " << out
                          << err;
            return -1;
        }
        return value->as_int64();
    }
};

Counts frontier_counts(const std::string& address) {
    const auto run = run_corocrawl({"frontier", address, "--json"});
    Counts counts{run.status, run.out, run.err, {}};
    boost::system::error_code error;
    auto value = boost::json::parse(run.out, error);
    if (!error && value.is_object()) {
        counts.json = std::move(value.as_object());
    } else {
        ADD_FAILURE() << "`corocrawl frontier " << address << " --json` (status " << run.status
                      << ") printed no JSON object: " << run.out << run.err;
    }
    return counts;
}

// A real redis-server and the bundled server, both of this test's own.
struct RedisFrontier : ::testing::Test {
    std::optional<testing::RedisServer> redis;
    test_server::Server server{
        test_server::ServerOptions{.port = 0, .delay = 0ms, .record_hosts = true}};
    const std::string host = server.base_url();
    const std::string title_xpath = "//title/text()";

    void SetUp() override {
        if (!testing::RedisServer::available()) GTEST_SKIP() << testing::RedisServer::missing();
        redis.emplace();
    }

    std::string address(const std::string& name = "crawl") const { return redis->address(name); }
    std::string page(std::uint64_t k, const SiteShape& site) const {
        return canonical(host + test_server::site_page_path(k, site));
    }

    // `crawl -r -l inf SEED --frontier ADDRESS -f jsonl -o FILE` and `extra`; the seed is the
    // site's page 0, given to every worker (the normal usage).
    std::vector<std::string> site_crawl(const SiteShape& site, const std::string& output,
                                        const std::vector<std::string>& extra,
                                        const std::string& name = "crawl") const {
        std::vector<std::string> args{
            "crawl",         "-r", "-l",        "inf",        "-f",
            "jsonl",         "-x", title_xpath, "--retries",  "0",
            "--no-progress", "-o", output,      "--frontier", address(name)};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back(host + test_server::site_page_path(0, site));
        return args;
    }

    // The server's requests so far, by canonical URL (robots.txt included).
    std::map<std::string, std::size_t> requests_by_url() const {
        std::map<std::string, std::size_t> by_url;
        const auto records = server.host_records();
        const auto found = records.find("127.0.0.1");
        if (found == records.end()) return by_url;
        for (const auto& target : found->second.targets) ++by_url[canonical(host + target)];
        return by_url;
    }
    std::size_t most_at_once() const {
        const auto records = server.host_records();
        const auto found = records.find("127.0.0.1");
        return found == records.end() ? 0 : found->second.max_concurrent;
    }
    std::size_t requests() const { return server.stats().requests; }
    // The requests of anything but robots.txt.
    std::size_t page_requests() const { return requests() - server.robots_requests("127.0.0.1"); }

    // That `records` hold every page of `site` once, each ok with its title.
    void expect_every_page_once(const Records& records, const SiteShape& site,
                                const std::set<std::uint64_t>& refused = {}) const {
        std::size_t missing = 0;
        for (std::uint64_t k = 0; k < site.pages; ++k) {
            const auto found = records.by_url.find(page(k, site));
            if (found == records.by_url.end()) {
                if (++missing <= 5) ADD_FAILURE() << "no record of page " << k;
                continue;
            }
            const auto& record = found->second;
            if (refused.contains(k)) {
                EXPECT_EQ(testing::kind_of(record), "robots") << boost::json::serialize(record);
                continue;
            }
            if (testing::kind_of(record) != "ok") {
                ADD_FAILURE() << "not ok: " << boost::json::serialize(record);
                continue;
            }
            const auto& titles = record.at("results").at(title_xpath).as_array();
            ASSERT_EQ(titles.size(), 1u) << boost::json::serialize(record);
            EXPECT_EQ(titles[0].as_string(), "site page " + std::to_string(k));
        }
        EXPECT_EQ(missing, 0u) << "pages without a record";
        EXPECT_EQ(records.by_url.size(), site.pages) << "records of URLs that are not pages";
    }

    // That the server saw every page requested, and requests beyond one per page number at
    // most `expired` (a lease that expired is fetched again). Returns the requests of pages.
    std::size_t expect_each_page_requested_once(const SiteShape& site, std::int64_t expired,
                                                const std::set<std::uint64_t>& refused = {}) {
        auto by_url = requests_by_url();
        std::size_t beyond_one = 0, never = 0, pages = 0;
        for (std::uint64_t k = 0; k < site.pages; ++k) {
            const auto found = by_url.find(page(k, site));
            const std::size_t n = found == by_url.end() ? 0 : found->second;
            if (found != by_url.end()) by_url.erase(found);
            pages += n;
            if (refused.contains(k)) {
                EXPECT_EQ(n, 0u) << "page " << k << ", disallowed by robots.txt, was fetched";
                continue;
            }
            if (n == 0 && ++never <= 5) ADD_FAILURE() << "page " << k << " never requested";
            beyond_one += n > 1 ? n - 1 : 0;
        }
        EXPECT_EQ(never, 0u);
        EXPECT_LE(static_cast<std::int64_t>(beyond_one), expired)
            << "pages requested again beyond the leases that expired";
        by_url.erase(canonical(host + "/robots.txt"));
        for (const auto& [url, n] : by_url) ADD_FAILURE() << url << " requested " << n << " times";
        return pages;
    }

    // Starts `count` workers of `args(i)`; returns them running.
    std::vector<std::unique_ptr<Worker>> start_workers(
        std::size_t count, const std::function<std::vector<std::string>(std::size_t)>& args) {
        std::vector<std::unique_ptr<Worker>> workers;
        for (std::size_t i = 0; i < count; ++i) {
            workers.push_back(std::make_unique<Worker>(args(i)));
            workers.back()->start();
        }
        return workers;
    }
};

// Output files of a test's workers, removed at its end.
struct Outputs {
    std::vector<std::string> paths;
    explicit Outputs(std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            paths.push_back(testing::scratch_path("records-" + std::to_string(i) + ".jsonl"));
    }
    ~Outputs() {
        for (const auto& path : paths) std::remove(path.c_str());
    }
    const std::string& operator[](std::size_t i) const { return paths[i]; }
};

// ---- four processes, one crawl ------------------------------------------------------------------

// The 20,000-page site, page-to-page links only (no extras: every URL the crawl can find is a
// page, so "every page once" is the whole of what it must record). Sanitizer builds crawl a
// quarter of it.
constexpr std::uint64_t site_pages = testing::sanitized ? 5'000 : 20'000;
const SiteShape big_site{.pages = site_pages, .fanout = 8, .extras = false};
constexpr std::size_t worker_count = 4;
// The crawls that lose a worker or Redis on the way: half of it, as their point is what happens
// around the fault, and CI runs them all.
constexpr std::uint64_t fault_site_pages = site_pages / 2;
const SiteShape fault_site{.pages = fault_site_pages, .fanout = 8, .extras = false};

TEST_F(RedisFrontier, FourWorkersCrawlTheSiteOnceBetweenThem) {
    Outputs outputs(worker_count);
    const auto start = std::chrono::steady_clock::now();
    auto workers = start_workers(worker_count, [&](std::size_t i) {
        return site_crawl(big_site, outputs[i], {"--per-host", "8"});
    });
    ASSERT_TRUE(wait_for_all(workers, start));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    std::cout << "4 workers crawled " << site_pages << " pages in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";

    Records records;
    std::vector<std::size_t> shares;
    for (std::size_t i = 0; i < worker_count; ++i) {
        EXPECT_EQ(workers[i]->status(), 0) << "worker " << i << ": " << workers[i]->err();
        EXPECT_EQ(workers[i]->out(), "") << "worker " << i << " wrote to stdout, not -o FILE";
        shares.push_back(records.add(testing::read_file(outputs[i])));
    }
    std::cout << "records per worker:";
    for (const auto share : shares) std::cout << " " << share;
    std::cout << "\n";
    EXPECT_EQ(records.twice(), 0u) << "URLs recorded by more than one worker, or twice";
    EXPECT_EQ(records.count, site_pages);
    expect_every_page_once(records, big_site);
    // Each worker did a fair part. Four like processes on one queue take a quarter each on
    // average; start-up skew (tens of ms of a crawl of seconds) and four crawlers sharing two
    // cores with the server and Redis move that by a few points. Under a tenth (0.4 × the fair
    // share) is a worker that was not really in the crawl: one that found the frontier empty
    // before the seed was admitted and left, or one that never got a lease while the others
    // took everything.
    for (std::size_t i = 0; i < worker_count; ++i)
        EXPECT_GE(shares[i], site_pages / 10) << "worker " << i << " did too little";

    const auto counts = frontier_counts(address());
    EXPECT_EQ(counts["done"], static_cast<std::int64_t>(site_pages)) << counts.out;
    EXPECT_EQ(counts["waiting"], 0) << counts.out;
    EXPECT_EQ(counts["in_flight"], 0) << counts.out;
    EXPECT_EQ(counts["gave_up"], 0) << counts.out;
    std::cout << "frontier: " << counts.out;
    const auto page_requests = expect_each_page_requested_once(big_site, counts["expired"]);
    std::cout << "the server read " << page_requests << " page requests, "
              << requests_by_url()[canonical(host + "/robots.txt")] << " of robots.txt\n";
}

// One worker SIGKILLed mid-crawl: its leases expire (--lease-timeout 2) and the others redo them;
// they finish the crawl and exit by themselves.
TEST_F(RedisFrontier, AKilledWorkersLeasesAreRedoneByTheOthers) {
    Outputs outputs(worker_count);
    const auto start = std::chrono::steady_clock::now();
    auto workers = start_workers(worker_count, [&](std::size_t i) {
        return site_crawl(fault_site, outputs[i], {"--per-host", "8", "--lease-timeout", "2"});
    });
    // Once a tenth of the site has been requested, the worker whose records grew the most in the
    // last 200 ms is killed: it is fetching, so it holds leases (which worker that is depends on
    // who holds the host's slots at the moment).
    const auto lines_of = [&](std::size_t i) {
        const std::string text = testing::read_file(outputs[i]);
        return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    };
    testing::wait_until([&] { return requests() >= fault_site_pages / 10; }, workers[0]->pid());
    std::vector<std::size_t> before;
    for (std::size_t i = 0; i < worker_count; ++i) before.push_back(lines_of(i));
    std::this_thread::sleep_for(200ms);
    std::size_t victim = 0, grew = 0;
    for (std::size_t i = 0; i < worker_count; ++i) {
        const std::size_t growth = lines_of(i) - before[i];
        if (growth > grew) victim = i, grew = growth;
    }
    ASSERT_GT(grew, 0u) << "no worker wrote a record in 200 ms";
    ASSERT_FALSE(workers[victim]->exited()) << "worker " << victim << " finished already";
    workers[victim]->kill();
    const std::size_t requests_at_kill = requests();
    ASSERT_LT(requests_at_kill, fault_site_pages / 2) << "killed too late to be mid-crawl";

    ASSERT_TRUE(wait_for_all(workers, start)) << "the survivors did not finish the crawl";
    std::cout << "killed worker " << victim << " after " << requests_at_kill
              << " requests; the crawl took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms\n";
    EXPECT_EQ(workers[victim]->status(), 128 + SIGKILL);
    Records records;
    std::cout << "records per worker:";
    for (std::size_t i = 0; i < worker_count; ++i) {
        if (i != victim) {
            const int status = workers[i]->status();
            EXPECT_EQ(status, 0) << "worker " << i << ": " << workers[i]->err();
        }
        std::cout << " " << records.add(testing::read_file(outputs[i]), i == victim);
    }
    std::cout << "\n";
    expect_every_page_once(records, fault_site);

    const auto counts = frontier_counts(address());
    std::cout << "frontier: " << counts.out;
    EXPECT_EQ(counts["done"], static_cast<std::int64_t>(fault_site_pages)) << counts.out;
    EXPECT_EQ(counts["waiting"], 0) << counts.out;
    EXPECT_EQ(counts["in_flight"], 0) << counts.out;
    EXPECT_EQ(counts["gave_up"], 0) << counts.out;  // an expiry each, not three
    EXPECT_GE(counts["expired"], 1) << "the killed worker held no lease?" << counts.out;
    // A record the killed worker wrote just before its lease was acknowledged is written again
    // by the worker that redid the URL: at most one such per expired lease.
    EXPECT_LE(static_cast<std::int64_t>(records.twice()), counts["expired"]);
    expect_each_page_requested_once(fault_site, counts["expired"]);
}

// Redis stopped (SIGTERM: it writes its append-only file) for 3 s mid-crawl and started again on
// the same directory: the workers wait, reconnect and finish; nothing is lost or done twice.
TEST_F(RedisFrontier, ACrawlOutlivesARedisRestart) {
    Outputs outputs(worker_count);
    const auto start = std::chrono::steady_clock::now();
    auto workers = start_workers(worker_count, [&](std::size_t i) {
        // Leases renewed every 2 s: 8 s outlasts the outage and the last renewal before it.
        return site_crawl(fault_site, outputs[i], {"--per-host", "8", "--lease-timeout", "8"});
    });
    testing::wait_until([&] { return requests() >= fault_site_pages / 5; }, workers[0]->pid());
    for (std::size_t i = 0; i < worker_count; ++i)
        ASSERT_FALSE(workers[i]->exited()) << "worker " << i << " ended early";
    ASSERT_EQ(redis->stop(), 0) << redis->log();
    const std::size_t requests_at_stop = requests();
    std::this_thread::sleep_for(3s);
    redis->start();
    ASSERT_LT(requests_at_stop, fault_site_pages) << "Redis stopped too late to be mid-crawl";

    ASSERT_TRUE(wait_for_all(workers, start));
    std::cout << "Redis was down from request " << requests_at_stop << " for 3 s; the crawl took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms\n";
    Records records;
    const std::string unreachable = "corocrawl: redis " + address() + ": unreachable (";
    const std::string reconnected = "corocrawl: redis " + address() + ": reconnected";
    for (std::size_t i = 0; i < worker_count; ++i) {
        const std::string err = workers[i]->err();
        EXPECT_EQ(workers[i]->status(), 0) << "worker " << i << ": " << err;
        EXPECT_NE(err.find(unreachable), std::string::npos) << "worker " << i << ": " << err;
        EXPECT_NE(err.find("), retrying"), std::string::npos) << "worker " << i << ": " << err;
        EXPECT_NE(err.find(reconnected), std::string::npos) << "worker " << i << ": " << err;
        EXPECT_LT(err.find(unreachable), err.rfind(reconnected)) << "worker " << i << ": " << err;
        records.add(testing::read_file(outputs[i]));
    }
    EXPECT_EQ(records.twice(), 0u);
    EXPECT_EQ(records.count, fault_site_pages);
    expect_every_page_once(records, fault_site);
    const auto counts = frontier_counts(address());
    std::cout << "frontier: " << counts.out;
    EXPECT_EQ(counts["done"], static_cast<std::int64_t>(fault_site_pages)) << counts.out;
    EXPECT_EQ(counts["in_flight"], 0) << counts.out;
    // Redis stopped as a service manager stops it loses nothing: every lease it handed out had
    // its worker, which renewed it once Redis was back. A lease Redis granted whose reply did not
    // reach the worker is held by nobody until it expires (then it shows here).
    EXPECT_EQ(counts["expired"], 0) << "a lease was lost with the connection: " << counts.out;
    expect_each_page_requested_once(fault_site, counts["expired"]);
}

// ---- politeness across processes ----------------------------------------------------------------

// --per-host 2 given to four processes is 2 for the host, not 8; robots.txt's verdict holds for
// them all. Each page answers after 20 ms, so requests overlap and the server's "most at once"
// shows any excess.
TEST_F(RedisFrontier, PerHostAndRobotsHoldAcrossProcesses) {
    const SiteShape site{.pages = 300, .fanout = 6, .extras = false, .delay_ms = 20};
    // Page 7 is disallowed, the only page whose path and query start with this.
    const std::string disallowed = "/site/page/7?";
    server.set_robots("127.0.0.1", {200, "User-agent: *\nDisallow: " + disallowed + "\n"});
    Outputs outputs(worker_count);
    const auto start = std::chrono::steady_clock::now();
    auto workers = start_workers(worker_count, [&](std::size_t i) {
        return site_crawl(site, outputs[i], {"--per-host", "2"});
    });
    ASSERT_TRUE(wait_for_all(workers, start));
    std::cout << "300 pages at 20 ms, --per-host 2, 4 workers: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms (the ideal: 3,000 ms)\n";
    Records records;
    for (std::size_t i = 0; i < worker_count; ++i) {
        // Exit status 1 for the worker that wrote page 7's record (a failure), 0 for the others.
        const std::string text = testing::read_file(outputs[i]);
        const int expected = text.find("\"kind\":\"robots\"") != std::string::npos ? 1 : 0;
        EXPECT_EQ(workers[i]->status(), expected) << "worker " << i << ": " << workers[i]->err();
        records.add(text);
    }
    EXPECT_EQ(records.twice(), 0u);
    expect_every_page_once(records, site, {7});
    EXPECT_EQ(most_at_once(), 2u) << "the host saw more than 2 requests at once (or never 2)";
    const auto counts = frontier_counts(address());
    expect_each_page_requested_once(site, counts["expired"], {7});
    std::cout << "robots.txt requested " << server.robots_requests("127.0.0.1") << " times\n";
}

// ---- leases
// --------------------------------------------------------------------------------------

// A fetch slower than the lease timeout keeps its lease: the worker renews it while it waits.
TEST_F(RedisFrontier, ASlowFetchKeepsItsLease) {
    Outputs outputs(1);
    std::vector<std::string> args{"crawl",     "-f",         "jsonl",   "--no-progress",   "-o",
                                  outputs[0],  "--frontier", address(), "--lease-timeout", "0.4",
                                  "--timeout", "30"};
    for (int i = 0; i < 3; ++i) args.push_back(host + "/page/" + std::to_string(i) + "?delay=2000");
    const auto run = run_corocrawl(args);
    EXPECT_EQ(run.status, 0) << run.err;
    Records records;
    records.add(testing::read_file(outputs[0]));
    EXPECT_EQ(records.count, 3u) << run.err;
    EXPECT_EQ(requests(), 3u) << "a URL fetched again: its lease expired while it was fetched";
    const auto counts = frontier_counts(address());
    EXPECT_EQ(counts["expired"], 0) << counts.out;
    EXPECT_EQ(counts["done"], 3) << counts.out;
}

// --lease-attempts 1: the first expired lease is the last; the URL gets its own record,
// worker_lost, written by the worker that found it expired, and is never fetched again.
TEST_F(RedisFrontier, AUrlWhoseWorkersDieIsGivenUpAsWorkerLost) {
    Outputs outputs(2);
    const std::string hang = host + "/hang?n=lost";
    const auto args = [&](std::size_t i) {
        return std::vector<std::string>{"crawl",
                                        "-f",
                                        "jsonl",
                                        "--no-progress",
                                        "-o",
                                        outputs[i],
                                        "--frontier",
                                        address(),
                                        "--lease-timeout",
                                        "1",
                                        "--lease-attempts",
                                        "1",
                                        "--timeout",
                                        "60",
                                        hang};
    };
    Worker first(args(0));
    first.start();
    testing::wait_until([&] { return requests() >= 1; }, first.pid());
    ASSERT_FALSE(first.exited()) << first.err();
    first.kill();
    ASSERT_EQ(requests(), 1u);

    const auto second = run_corocrawl(args(1));
    EXPECT_EQ(second.status, 1) << "its one record is a failure: " << second.err;
    Records records;
    records.add(testing::read_file(outputs[1]));
    ASSERT_EQ(records.count, 1u) << second.err;
    const auto& record = records.by_url.begin()->second;
    EXPECT_EQ(records.by_url.begin()->first, canonical(hang));
    EXPECT_EQ(testing::kind_of(record), "worker_lost") << boost::json::serialize(record);
    EXPECT_EQ(requests(), 1u) << "the given-up URL was fetched again";
    const auto counts = frontier_counts(address());
    EXPECT_EQ(counts["gave_up"], 1) << counts.out;
    EXPECT_EQ(counts["expired"], 1) << "one lease expired (the one given up): " << counts.out;
    EXPECT_EQ(counts["done"], 1) << counts.out;
}

// ---- corocrawl frontier ADDRESS
// ------------------------------------------------------------------

TEST_F(RedisFrontier, FrontierCountsAFinishedCrawlAndClearRemovesOnlyItsKeys) {
    const SiteShape site{.pages = 200, .fanout = 6, .extras = false};
    const SiteShape other_site{.pages = 20, .fanout = 4, .extras = false};
    Outputs outputs(3);
    // Another crawl in the same Redis, whose keys --clear must leave alone.
    const auto other = run_corocrawl(site_crawl(other_site, outputs[2], {}, "other"));
    ASSERT_EQ(other.status, 0) << other.err;
    const std::size_t other_keys = redis->keys();
    ASSERT_GT(other_keys, 0u);

    const auto start = std::chrono::steady_clock::now();
    auto workers = start_workers(2, [&](std::size_t i) {
        return site_crawl(site, outputs[i], {"--per-host", "4"});
    });
    ASSERT_TRUE(wait_for_all(workers, start));
    Records records;
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(workers[i]->status(), 0) << workers[i]->err();
        records.add(testing::read_file(outputs[i]));
    }
    expect_every_page_once(records, site);

    // The workers have exited: nothing was flushed; the counts say the crawl is done.
    EXPECT_GT(redis->keys(), other_keys) << "a worker that exited cleared the crawl";
    auto counts = frontier_counts(address());
    EXPECT_EQ(counts.status, 0) << counts.err;
    EXPECT_EQ(counts["done"], 200) << counts.out;
    EXPECT_EQ(counts["admitted"], 200) << counts.out;
    // `seen` counts the fingerprints Redis holds: each admitted URL's canonical form, once (the
    // spellings a worker found are its own to remember).
    EXPECT_EQ(counts["seen"], 200) << counts.out;
    EXPECT_EQ(counts["waiting"], 0) << counts.out;
    EXPECT_EQ(counts["in_flight"], 0) << counts.out;
    EXPECT_EQ(counts["expired"], 0) << counts.out;
    EXPECT_EQ(counts["gave_up"], 0) << counts.out;
    EXPECT_EQ(counts["workers"], 0) << "the workers have exited: " << counts.out;
    ASSERT_TRUE(counts.json.contains("hosts")) << counts.out;
    for (const auto& [name, value] : counts.json.at("hosts").as_object()) {
        EXPECT_EQ(value.at("waiting").as_int64(), 0) << name;
        EXPECT_EQ(value.at("in_flight").as_int64(), 0) << name;
    }
    const auto text = run_corocrawl({"frontier", address()});
    EXPECT_EQ(text.status, 0) << text.err;
    EXPECT_NE(text.out.find("200"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("done"), std::string::npos) << text.out;

    // The seed again, to a finished crawl: admitted once already, so nothing is fetched.
    const std::size_t before = page_requests();
    const std::string again_output = testing::scratch_path("again.jsonl");
    const auto again = run_corocrawl(site_crawl(site, again_output, {}));
    EXPECT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(page_requests(), before) << "the finished crawl fetched again";
    EXPECT_EQ(testing::read_file(again_output), "");
    std::remove(again_output.c_str());
    // --clear: this crawl's keys go, the other crawl's stay.
    const auto cleared = run_corocrawl({"frontier", address(), "--clear"});
    EXPECT_EQ(cleared.status, 0) << cleared.err;
    EXPECT_EQ(redis->keys(), other_keys) << "--clear left keys of its crawl, or took others'";
    counts = frontier_counts(address());
    for (const char* key :
         {"waiting", "in_flight", "done", "admitted", "seen", "expired", "gave_up", "workers"})
        EXPECT_EQ(counts[key], 0) << key << " after --clear: " << counts.out;
    EXPECT_EQ(frontier_counts(address("other"))["done"], 20);

    // A cleared crawl is a new one: the same command crawls the site again, and its -o FILE, a
    // worker's of the first crawl, is appended to: the earlier records stay, the new ones follow.
    const std::string& earlier = testing::read_file(outputs[0]).empty() ? outputs[1] : outputs[0];
    const std::string kept = testing::read_file(earlier);
    ASSERT_FALSE(kept.empty());
    const std::size_t before_new = page_requests();
    const auto fresh = run_corocrawl(site_crawl(site, earlier, {}));
    EXPECT_EQ(fresh.status, 0) << fresh.err;
    const std::string appended = testing::read_file(earlier);
    ASSERT_TRUE(appended.starts_with(kept)) << "-o FILE was truncated";
    Records fresh_records;
    fresh_records.add(appended.substr(kept.size()));
    expect_every_page_once(fresh_records, site);
    EXPECT_EQ(page_requests() - before_new, 200u);
}

// ---- usage errors
// ---------------------------------------------------------------------------------

TEST_F(RedisFrontier, AMalformedAddressIsAUsageErrorBeforeAnyTraffic) {
    const std::string output = testing::scratch_path("records.jsonl");
    for (const std::string& bad :
         {std::string("redis://127.0.0.1:6379"), std::string("redis://127.0.0.1:6379/"),
          std::string("http://x"), std::string("unix://" + redis->socket_path()),
          std::string("unix://" + redis->socket_path() + "?name="), std::string("redis:/x")}) {
        SCOPED_TRACE(bad);
        const auto run =
            run_corocrawl({"crawl", "-r", "--frontier", bad, "-o", output, host + "/site/page/0"});
        EXPECT_EQ(run.status, 2) << run.err;
        EXPECT_NE(run.err.find("--frontier"), std::string::npos) << run.err;
        const auto summary = run_corocrawl({"frontier", bad, "--json"});
        EXPECT_EQ(summary.status, 2) << summary.err;
    }
    EXPECT_EQ(requests(), 0u);
    EXPECT_EQ(redis->keys(), 0u);

    // The control: the same command with a well-formed address crawls.
    const auto good = run_corocrawl(
        {"crawl", "--frontier", address(), "-f", "jsonl", "-o", output, host + "/page/1"});
    EXPECT_EQ(good.status, 0) << good.err;
    EXPECT_EQ(requests(), 1u);
    EXPECT_GT(redis->keys(), 0u);

    // An empty address (`--frontier "$ADDRESS"` with the variable unset) is malformed too, not
    // a crawl of its own with the memory frontier.
    const auto empty =
        run_corocrawl({"crawl", "--frontier", "", "-f", "jsonl", "-o", output, host + "/page/2"});
    EXPECT_EQ(empty.status, 2) << empty.err;
    EXPECT_NE(empty.err.find("--frontier"), std::string::npos) << empty.err;
    EXPECT_EQ(requests(), 1u) << "--frontier '' crawled";
    EXPECT_EQ(run_corocrawl({"frontier", "", "--json"}).status, 2);
    std::remove(output.c_str());
}

// A Redis that is not there at the start is a mistyped address: an error before any request,
// not a wait.
TEST_F(RedisFrontier, AnUnreachableRedisAtTheStartIsAnErrorBeforeAnyTraffic) {
    const std::string output = testing::scratch_path("records.jsonl");
    const std::string nowhere = redis->dir() + "/nobody.sock";
    for (const std::string& unreachable :
         {"unix://" + nowhere + "?name=crawl",
          "redis://127.0.0.1:" + std::to_string(testing::closed_port()) + "/crawl"}) {
        SCOPED_TRACE(unreachable);
        const auto run =
            run_corocrawl({"crawl", "--frontier", unreachable, "-o", output, host + "/page/1"});
        EXPECT_EQ(run.status, 2) << run.err;
        EXPECT_NE(run.err.find(unreachable), std::string::npos) << run.err;
        EXPECT_LT(run.elapsed, 30s) << "it waited for Redis instead of failing";
        const auto summary = run_corocrawl({"frontier", unreachable, "--json"});
        EXPECT_NE(summary.status, 0) << summary.out;
    }
    EXPECT_EQ(requests(), 0u);
    std::remove(output.c_str());
}

}  // namespace
}  // namespace corocrawl
