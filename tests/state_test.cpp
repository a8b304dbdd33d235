// `crawl --state DIR`: a crawl killed (SIGKILL) or interrupted (SIGINT, SIGTERM) again and again,
// in every mode, resumed by running the same command, ends with exactly one record per URL it
// admitted in -o FILE, the URLs it had finished never fetched again; a damaged state or another
// command's state is a usage error before any traffic; `corocrawl state DIR` summarises, exports
// and puts failed URLs back. The expected records come from the synthetic site's own graph
// (test_server/site.hpp) and from the server's count of the requests it read.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "corocrawl/url.hpp"
#include "records.hpp"
#include "site.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using test_server::SiteShape;
using testing::canonical;
using testing::run_corocrawl;

// The seed, or COROCRAWL_TEST_SEED to replay a failure; printed either way.
std::uint32_t random_seed() {
    const char* given = std::getenv("COROCRAWL_TEST_SEED");
    const std::uint32_t seed =
        given ? static_cast<std::uint32_t>(std::stoul(given)) : std::random_device{}();
    std::cout << "random seed " << seed << " (COROCRAWL_TEST_SEED=" << seed << " replays it)\n";
    return seed;
}

// A --state DIR and an -o FILE of this test's own, removed at its end.
struct StateFiles {
    std::string dir = testing::scratch_path("state");
    std::string output = testing::scratch_path("records.jsonl");
    std::string database() const { return dir + "/crawl.sqlite"; }
    StateFiles() = default;
    StateFiles(const StateFiles&) = delete;
    StateFiles& operator=(const StateFiles&) = delete;
    ~StateFiles() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
        std::filesystem::remove(output, ignored);
    }
};

// The records of a -f jsonl output, by canonical URL.
struct Records {
    std::vector<boost::json::object> list;
    std::map<std::string, std::size_t> times;           // canonical URL -> its records
    std::map<std::string, boost::json::object> by_url;  // canonical URL -> its (last) record
    std::size_t not_json = 0;                           // lines that are not a whole object
    bool cut_short = false;                             // the text does not end in '\n'

    std::size_t twice() const {
        std::size_t count = 0;
        for (const auto& [url, n] : times) count += n > 1;
        return count;
    }
};

Records parse_records(const std::string& text) {
    Records records;
    records.cut_short = !text.empty() && text.back() != '\n';
    for (const auto& line : testing::lines(text)) {
        boost::system::error_code error;
        auto value = boost::json::parse(line, error);
        if (error || !value.is_object()) {
            ++records.not_json;
            ADD_FAILURE() << "not a whole JSON record: " << line.substr(0, 200);
            continue;
        }
        auto& object = value.as_object();
        const std::string key = canonical(std::string(object.at("url").as_string()));
        ++records.times[key];
        records.by_url[key] = object;
        records.list.push_back(std::move(object));
    }
    return records;
}

// The whole lines of a killed process's stdout: its last line may have been cut short.
Records parse_whole_lines(std::string text) {
    text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    return parse_records(text);
}

// The end-of-run summary, the last line on stderr:
// `corocrawl: N URLs, K ok, F failed ... in S s (R pages/s)...`.
struct Summary {
    bool found = false;
    std::size_t urls = 0, ok = 0, failed = 0;
    bool interrupted = false;
};

Summary parse_summary(const std::string& err) {
    Summary summary;
    const auto err_lines = testing::lines(err);
    if (err_lines.empty()) return summary;
    const std::string& last = err_lines.back();
    summary.found = std::sscanf(last.c_str(), "corocrawl: %zu URLs, %zu ok, %zu failed",
                                &summary.urls, &summary.ok, &summary.failed) == 3;
    summary.interrupted = last.ends_with(", interrupted");
    return summary;
}

bool resumed(const testing::Run& run) {
    return run.err.find("corocrawl: resuming ") != std::string::npos;
}

// What `corocrawl state DIR` prints: `key: value` lines.
struct StoredState {
    int status = -1;
    std::string err;
    std::map<std::string, std::string> values;

    std::string value(const std::string& key) const {
        const auto found = values.find(key);
        return found == values.end() ? "(none)" : found->second;
    }
    // The number a line starts with; fails the test when the line is missing.
    std::size_t number(const std::string& key) const {
        const auto found = values.find(key);
        if (found == values.end()) {
            ADD_FAILURE() << "`corocrawl state` printed no `" << key << ":` line";
            return 0;
        }
        return std::stoull(found->second);
    }
    // `failed: 18 (http_status 15, timeout 3)` -> {http_status: 15, timeout: 3}.
    std::map<std::string, std::size_t> failed_kinds() const {
        std::map<std::string, std::size_t> kinds;
        const auto found = values.find("failed");
        if (found == values.end()) return kinds;
        const auto open = found->second.find('(');
        if (open == std::string::npos) return kinds;
        std::istringstream list(found->second.substr(open + 1, found->second.find(')') - open - 1));
        for (std::string item; std::getline(list, item, ',');) {
            std::istringstream words(item);
            std::string kind;
            std::size_t count = 0;
            words >> kind >> count;
            kinds[kind] = count;
        }
        return kinds;
    }
};

StoredState stored_state(const std::string& dir) {
    const auto run = run_corocrawl({"state", dir});
    StoredState state{run.status, run.err, {}};
    for (const auto& line : testing::lines(run.out)) {
        const auto colon = line.find(": ");
        if (colon != std::string::npos)
            state.values[line.substr(0, colon)] = line.substr(colon + 2);
    }
    return state;
}

// The state's own bookkeeping: every admitted URL is finished, waiting or was in flight.
void expect_consistent(const StoredState& state) {
    EXPECT_EQ(state.status, 0) << state.err;
    EXPECT_EQ(state.number("finished") + state.number("waiting") +
                  state.number("in flight at the last stop"),
              state.number("admitted"));
    EXPECT_EQ(state.number("ok") + state.number("failed"), state.number("finished"));
    std::size_t by_kind = 0;
    for (const auto& [kind, count] : state.failed_kinds()) by_kind += count;
    EXPECT_EQ(by_kind, state.number("failed")) << state.value("failed");
}

// Each record's error kind ("ok" for none), counted.
std::map<std::string, std::size_t> kinds_of(const Records& records) {
    std::map<std::string, std::size_t> kinds;
    for (const auto& record : records.list) ++kinds[testing::kind_of(record)];
    return kinds;
}

// That the stored state agrees with the records of a complete -o FILE.
void expect_state_matches(const StoredState& state, const Records& records) {
    expect_consistent(state);
    auto kinds = kinds_of(records);
    EXPECT_EQ(state.number("admitted"), records.list.size());
    EXPECT_EQ(state.number("finished"), records.list.size());
    EXPECT_EQ(state.number("waiting"), 0u);
    EXPECT_EQ(state.number("ok"), kinds["ok"]);
    kinds.erase("ok");
    EXPECT_EQ(state.failed_kinds(), kinds) << state.value("failed");
}

const std::string title_xpath = "//title/text()";

struct Counted {
    testing::Run run;
    std::size_t requests = 0;  // what the server read while it ran
};

// A server of its own for each test: its request count measures what a run fetched.
struct StateTest : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 0ms}};
    std::string host = server.base_url();

    std::size_t requests() const { return server.stats().requests; }

    // Runs `args`; with a signal, sends it once the server has read `after_requests` more
    // requests and `after` has passed since the start.
    Counted run(const std::vector<std::string>& args, int signal = 0,
                std::size_t after_requests = 0, std::chrono::milliseconds after = 1ms) {
        const std::size_t before = requests();
        testing::Interrupt interrupt;
        if (signal != 0) {
            interrupt = testing::Interrupt(after, signal, 0, [this, before, after_requests] {
                return requests() >= before + after_requests;
            });
        }
        Counted counted{run_corocrawl(args, "", interrupt), 0};
        counted.requests = requests() - before;
        return counted;
    }
};

// ---- recursive crawls of the synthetic site, killed and resumed --------------------------------

// 20,000 pages with the extras (404s, redirects, JSON, images, the trap): every kind of record a
// recursive crawl writes. Without --state each mode crawls it in 6-7 s here (the in-process
// server is the bottleneck, so sync keeps up). Sanitizer builds, several times slower, crawl a
// quarter of it, to stay within the test's time.
constexpr std::uint64_t site_pages = testing::sanitized ? 5'000 : 20'000;
const SiteShape site{.pages = site_pages, .fanout = 8, .extras = true};
constexpr std::size_t depth_limit = 40;  // deeper than any page (≤ 15 by the tree links alone)
// Every page, the 6 extras of every tenth page, one trap page per level.
constexpr std::size_t site_records = site_pages + 6 * (site_pages / 10) + depth_limit;

struct SiteCrawl : StateTest, ::testing::WithParamInterface<std::string> {
    StateFiles files;

    std::vector<std::string> command() const {
        return {"crawl",
                "-m",
                GetParam(),
                "-r",
                "-l",
                std::to_string(depth_limit),
                "-f",
                "jsonl",
                "-x",
                title_xpath,
                "--robots",
                "ignore",
                "--per-host",
                "100",
                "--retries",
                "0",
                "--no-progress",
                "-o",
                files.output,
                "--state",
                files.dir,
                host + test_server::site_page_path(0, site)};
    }

    std::string page(std::uint64_t k) const {
        return canonical(host + test_server::site_page_path(k, site));
    }

    // The -o FILE of the finished crawl: one record per URL the site has for a crawl to -l 40,
    // each page's title extracted.
    void expect_every_record_once() {
        const auto records = parse_records(testing::read_file(files.output));
        EXPECT_FALSE(records.cut_short);
        EXPECT_EQ(records.twice(), 0u) << "URLs with more than one record";
        EXPECT_EQ(records.list.size(), site_records);
        EXPECT_EQ(records.by_url.size(), site_records);
        std::size_t pages_missing = 0;
        for (std::uint64_t k = 0; k < site.pages; ++k) {
            const auto found = records.by_url.find(page(k));
            if (found == records.by_url.end()) {
                if (++pages_missing <= 5) ADD_FAILURE() << "no record of page " << k;
                continue;
            }
            const auto& record = found->second;
            EXPECT_EQ(testing::kind_of(record), "ok") << boost::json::serialize(record);
            EXPECT_EQ(record.at("status").as_int64(), 200);
            const auto& titles = record.at("results").at(title_xpath).as_array();
            ASSERT_EQ(titles.size(), 1u) << boost::json::serialize(record);
            EXPECT_EQ(titles[0].as_string(), "site page " + std::to_string(k));
        }
        EXPECT_EQ(pages_missing, 0u);
        for (std::uint64_t k = 0; k < site.pages; k += 10) {
            for (const auto& path : test_server::site_extra_paths(k, site)) {
                if (path.starts_with("/site/trap/")) continue;
                const auto found = records.by_url.find(canonical(host + path));
                ASSERT_NE(found, records.by_url.end()) << path << " has no record";
                if (path.starts_with("/site/missing/")) {
                    EXPECT_EQ(testing::kind_of(found->second), "http_status");
                } else if (path.starts_with("/site/redirect/")) {
                    EXPECT_EQ(found->second.at("status").as_int64(), 301);
                }
            }
        }
        std::size_t trap = 0;
        for (const auto& [url, times] : records.times)
            trap += url.starts_with(host + "/site/trap/");
        EXPECT_EQ(trap, depth_limit);
        for (const auto& record : records.list)
            EXPECT_NE(testing::kind_of(record), "cancelled") << boost::json::serialize(record);
        expect_state_matches(stored_state(files.dir), records);
    }

    // The run that finishes the crawl: it fetches exactly the URLs not finished before it, and
    // its summary counts only them.
    void finish(std::size_t finished_before) {
        const auto last = run(command());
        EXPECT_TRUE(last.run.status == 0 || last.run.status == 1) << last.run.err;
        EXPECT_TRUE(resumed(last.run)) << last.run.err;
        EXPECT_EQ(last.run.out, "");
        EXPECT_EQ(last.requests, site_records - finished_before)
            << "finished URLs fetched again, or unfinished ones not fetched";
        const auto summary = parse_summary(last.run.err);
        ASSERT_TRUE(summary.found) << last.run.err;
        EXPECT_FALSE(summary.interrupted);
        EXPECT_EQ(summary.urls, site_records - finished_before) << last.run.err;
        expect_every_record_once();
    }
};

TEST_P(SiteCrawl, KilledTenTimesAndResumedEndsWithEveryRecordOnce) {
    std::mt19937 random(random_seed());
    // Each kill after a random number of this run's requests, at most a tenth of the site's, so
    // the ten together cannot finish the crawl; two of them early instead, whatever the progress:
    // while the state is opened, loaded and -o FILE rewritten from it.
    std::uniform_int_distribution<std::size_t> requests_before_kill(1, site_records / 10);
    std::uniform_int_distribution<int> early_ms(1, 150);
    std::size_t finished = 0, admitted = 0;
    for (int kill = 0; kill < 10; ++kill) {
        const bool early = kill == 3 || kill == 7;
        const std::size_t after_requests = early ? 0 : requests_before_kill(random);
        const auto after = early ? std::chrono::milliseconds(early_ms(random)) : 1ms;
        SCOPED_TRACE("kill " + std::to_string(kill) + " after " + std::to_string(after_requests) +
                     " requests, " + std::to_string(after.count()) + " ms");
        const auto killed = run(command(), SIGKILL, after_requests, after);
        ASSERT_EQ(killed.run.status, 128 + SIGKILL) << killed.run.err;
        if (kill > 0 && !early) {
            EXPECT_TRUE(resumed(killed.run)) << killed.run.err;
        }

        // What a SIGKILL leaves is a state `corocrawl state` reads, and what it had committed
        // stays committed.
        const auto state = stored_state(files.dir);
        expect_consistent(state);
        EXPECT_GE(state.number("finished"), finished);
        EXPECT_GE(state.number("admitted"), admitted);
        EXPECT_LE(state.number("finished"), killed.requests + finished);
        finished = state.number("finished");
        admitted = state.number("admitted");
        std::cout << "kill " << kill << ": " << killed.requests << " requests, " << finished
                  << " finished, " << admitted << " admitted\n";
        if (HasFatalFailure()) return;
    }
    // Batches were committed while the crawl ran, not only at its end.
    EXPECT_GT(finished, 0u);
    EXPECT_LT(finished, site_records);
    finish(finished);
}

TEST_P(SiteCrawl, InterruptedThriceAndResumedEndsWithEveryRecordOnceAndNoneCancelled) {
    std::mt19937 random(random_seed());
    std::uniform_int_distribution<std::size_t> requests_before_stop(site_records / 20,
                                                                    site_records / 6);
    std::size_t finished = 0;
    for (const int signal : {SIGINT, SIGTERM, SIGINT}) {
        const std::size_t after_requests = requests_before_stop(random);
        SCOPED_TRACE(std::string(signal == SIGINT ? "SIGINT" : "SIGTERM") + " after " +
                     std::to_string(after_requests) + " requests");
        const auto stopped = run(command(), signal, after_requests);
        ASSERT_EQ(stopped.run.status, 130) << stopped.run.err;
        if (finished > 0) {
            EXPECT_TRUE(resumed(stopped.run)) << stopped.run.err;
        }
        const auto summary = parse_summary(stopped.run.err);
        EXPECT_TRUE(summary.found && summary.interrupted) << stopped.run.err;

        // An orderly stop writes no `cancelled` records: the URLs it had in flight stay in the
        // store for the next run; -o FILE holds the finished URLs, once each.
        const auto records = parse_records(testing::read_file(files.output));
        EXPECT_FALSE(records.cut_short);
        EXPECT_EQ(records.twice(), 0u);
        for (const auto& record : records.list)
            ASSERT_NE(testing::kind_of(record), "cancelled") << boost::json::serialize(record);
        const auto state = stored_state(files.dir);
        expect_consistent(state);
        EXPECT_GT(state.number("finished"), finished);
        EXPECT_EQ(records.list.size(), state.number("finished"));
        EXPECT_EQ(summary.urls, state.number("finished") - finished) << stopped.run.err;
        finished = state.number("finished");
        if (HasFatalFailure()) return;
    }
    EXPECT_LT(finished, site_records);
    finish(finished);
}

INSTANTIATE_TEST_SUITE_P(EveryMode, SiteCrawl, ::testing::Values("async", "pool", "sync"),
                         [](const auto& info) { return info.param; });

// ---- list crawls --------------------------------------------------------------------------------

struct ListCrawl : StateTest, ::testing::WithParamInterface<std::string> {
    StateFiles files;
    std::string list_path = testing::scratch_path("urls.txt");
    std::vector<std::string> urls;

    void write_list(std::size_t count) {
        std::string list;
        for (std::size_t i = 0; i < count; ++i) {
            urls.push_back(host + "/page/" + std::to_string(i));
            list += urls.back() + "\n";
        }
        std::ofstream(list_path) << list;
    }
    ~ListCrawl() override { std::remove(list_path.c_str()); }

    std::vector<std::string> command(bool to_file = true) const {
        std::vector<std::string> args{
            "crawl", "-m",        GetParam(),  "-i", list_path,       "-f",      "jsonl",
            "-x",    title_xpath, "--retries", "0",  "--no-progress", "--state", files.dir};
        if (to_file) {
            args.push_back("-o");
            args.push_back(files.output);
        }
        return args;
    }
};

TEST_P(ListCrawl, KilledThriceAndResumedEndsWithOneRecordPerLine) {
    write_list(testing::sanitized ? 5'000 : 20'000);
    std::mt19937 random(random_seed());
    std::uniform_int_distribution<std::size_t> requests_before_kill(urls.size() / 10,
                                                                    urls.size() / 4);
    std::size_t finished = 0;
    for (int kill = 0; kill < 3; ++kill) {
        const auto after_requests = requests_before_kill(random);
        SCOPED_TRACE("kill " + std::to_string(kill) + " after " + std::to_string(after_requests) +
                     " requests");
        const auto killed = run(command(), SIGKILL, after_requests);
        ASSERT_EQ(killed.run.status, 128 + SIGKILL) << killed.run.err;
        if (kill > 0) {
            EXPECT_TRUE(resumed(killed.run)) << killed.run.err;
        }
        const auto state = stored_state(files.dir);
        expect_consistent(state);
        EXPECT_GE(state.number("finished"), finished);
        finished = state.number("finished");
    }
    EXPECT_GT(finished, 0u);

    const auto last = run(command());
    EXPECT_EQ(last.run.status, 0) << last.run.err;
    EXPECT_TRUE(resumed(last.run)) << last.run.err;
    EXPECT_EQ(last.requests, urls.size() - finished);
    EXPECT_EQ(parse_summary(last.run.err).urls, urls.size() - finished) << last.run.err;

    const auto records = parse_records(testing::read_file(files.output));
    EXPECT_EQ(records.list.size(), urls.size());
    EXPECT_EQ(records.twice(), 0u);
    for (std::size_t i = 0; i < urls.size(); ++i) {
        const auto found = records.by_url.find(canonical(urls[i]));
        ASSERT_NE(found, records.by_url.end()) << urls[i] << " has no record";
        EXPECT_EQ(testing::kind_of(found->second), "ok") << urls[i];
        const auto& titles = found->second.at("results").at(title_xpath).as_array();
        ASSERT_EQ(titles.size(), 1u) << urls[i];
        EXPECT_EQ(titles[0].as_string(), "page " + std::to_string(i));
    }
    expect_state_matches(stored_state(files.dir), records);
}

// Without -o the records go to stdout as they come: after a kill some may come again, but none
// is lost (a record is written before its URL counts as finished).
TEST_P(ListCrawl, OnStdoutEveryRecordComesAtLeastOnce) {
    write_list(5'000);
    std::set<std::string> seen;
    for (int kill = 0; kill < 2; ++kill) {
        const auto killed = run(command(false), SIGKILL, 1'000);
        ASSERT_EQ(killed.run.status, 128 + SIGKILL) << killed.run.err;
        for (const auto& [url, times] : parse_whole_lines(killed.run.out).times) seen.insert(url);
    }
    const auto last = run(command(false));
    EXPECT_EQ(last.run.status, 0) << last.run.err;
    const auto records = parse_records(last.run.out);
    EXPECT_EQ(records.twice(), 0u);
    for (const auto& [url, times] : records.times) seen.insert(url);
    EXPECT_EQ(seen.size(), urls.size());
    for (const auto& url : urls) EXPECT_TRUE(seen.contains(canonical(url))) << url;
}

INSTANTIATE_TEST_SUITE_P(EveryMode, ListCrawl, ::testing::Values("async", "pool", "sync"),
                         [](const auto& info) { return info.param; });

// ---- a damaged state, another command's state ---------------------------------------------------

// A small finished list crawl to damage or to run again with something changed.
struct FinishedState : StateTest {
    StateFiles files;
    std::string list_path = testing::scratch_path("urls.txt");
    const SiteShape small{.pages = 60, .fanout = 4, .extras = false};

    ~FinishedState() override { std::remove(list_path.c_str()); }

    void write_list(std::size_t count, const std::string& path) const {
        std::string list;
        for (std::size_t i = 0; i < count; ++i) list += host + "/page/" + std::to_string(i) + "\n";
        std::ofstream(path) << list;
    }
    std::vector<std::string> list_command() const {
        return {"crawl",     "-i", list_path,    "-f",      "jsonl",   "-x",
                title_xpath, "-o", files.output, "--state", files.dir, "--no-progress"};
    }

    // The parts of a recursive command that make it this crawl and no other.
    struct Recursive {
        std::string seed;
        std::vector<std::string> recursion{"-r", "-l", "3"};
        std::vector<std::string> fields{"-x", "//title/text()"};
        std::string format = "jsonl";
        std::vector<std::string> other{};
    };
    Recursive recursive() const { return {host + test_server::site_page_path(0, small)}; }
    std::vector<std::string> command(const Recursive& parts) const {
        std::vector<std::string> args{"crawl", "--robots", "ignore"};
        args.insert(args.end(), parts.recursion.begin(), parts.recursion.end());
        args.insert(args.end(), parts.fields.begin(), parts.fields.end());
        args.insert(args.end(), parts.other.begin(), parts.other.end());
        for (const auto& arg :
             {std::string("-f"), parts.format, std::string("-o"), files.output,
              std::string("--state"), files.dir, std::string("--no-progress"), parts.seed})
            args.push_back(arg);
        return args;
    }
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Whether an error message names `name`: a word (any case), or a short option like `-x` on its
// own (not the "-r" of "--robots").
bool names_option(const std::string& message, const std::string& name) {
    if (name.size() == 2 && name[0] == '-') {
        const auto word = [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        };
        for (auto at = message.find(name); at != std::string::npos;
             at = message.find(name, at + 1)) {
            const bool starts = at == 0 || (message[at - 1] != '-' && !word(message[at - 1]));
            const bool ends = at + 2 == message.size() || !word(message[at + 2]);
            if (starts && ends) return true;
        }
        return false;
    }
    return lower(message).find(lower(name)) != std::string::npos;
}

TEST_F(FinishedState, ADamagedStateIsAClearErrorAndIsNeitherReplacedNorRestarted) {
    write_list(2'000, list_path);  // enough records that half the file is many pages of them
    const auto first = run(list_command());
    ASSERT_EQ(first.run.status, 0) << first.run.err;
    ASSERT_TRUE(std::filesystem::exists(files.database()));
    // The files as the finished run left them (SQLite removes the WAL when the last connection
    // closes, but should one be left, the control below puts it back too).
    std::map<std::string, std::string> pristine_files;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        if (std::filesystem::exists(files.database() + suffix))
            pristine_files[files.database() + suffix] =
                testing::read_file(files.database() + suffix);
    }
    const std::string pristine = pristine_files.at(files.database());
    const std::string records = testing::read_file(files.output);
    ASSERT_EQ(parse_records(records).list.size(), 2'000u);

    std::mt19937 random(random_seed());
    std::string garbage(pristine.size(), '\0');
    for (auto& byte : garbage) byte = static_cast<char>(random());
    const std::map<std::string, std::string> damages{
        {"truncated to half", pristine.substr(0, pristine.size() / 2)},
        {"overwritten with garbage", garbage},
        // SQLite's header kept: the file still says it is a database.
        {"garbage after the header", pristine.substr(0, 100) + garbage.substr(100)},
    };
    for (const auto& [damage, bytes] : damages) {
        SCOPED_TRACE(damage);
        // No WAL to recover from: the damage is all there is.
        for (const char* suffix : {"-wal", "-shm"})
            std::filesystem::remove(files.database() + suffix);
        std::ofstream(files.database(), std::ios::binary | std::ios::trunc) << bytes;

        const auto damaged = run(list_command());
        EXPECT_EQ(damaged.run.status, 2) << damaged.run.err;
        EXPECT_NE(damaged.run.err.find("--state"), std::string::npos) << damaged.run.err;
        EXPECT_NE(damaged.run.err.find(files.dir), std::string::npos) << damaged.run.err;
        EXPECT_EQ(damaged.requests, 0u) << "started again from zero";
        EXPECT_EQ(testing::read_file(files.database()), bytes) << "the damaged state was replaced";
        EXPECT_EQ(testing::read_file(files.output), records) << "-o FILE was touched";

        const auto summary = stored_state(files.dir);
        EXPECT_NE(summary.status, 0) << "`corocrawl state` read a damaged state";
        EXPECT_LT(summary.status, 128) << summary.err;  // an error, not a crash
    }

    // The control: the same command on the undamaged file resumes, with nothing left to do.
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(files.database() + suffix);
    for (const auto& [path, bytes] : pristine_files)
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    const auto again = run(list_command());
    EXPECT_EQ(again.run.status, 0) << again.run.err;
    EXPECT_TRUE(resumed(again.run)) << again.run.err;
    EXPECT_EQ(again.requests, 0u);
}

TEST_F(FinishedState, AnotherCommandIsAUsageErrorNamingWhatDiffersUnlessForced) {
    const auto first = run(command(recursive()));
    ASSERT_EQ(first.run.status, 0) << first.run.err;
    const std::string records = testing::read_file(files.output);
    const auto crawled = parse_records(records).list.size();
    ASSERT_EQ(crawled, parse_summary(first.run.err).urls);
    ASSERT_GT(crawled, 5u);

    struct Change {
        std::string what;
        Recursive parts;
        std::vector<std::string> names;  // one of them in the message, in any case
    };
    std::vector<Change> changes;
    const auto change = [&](std::string what, std::vector<std::string> names, auto edit) {
        Recursive parts = recursive();
        edit(parts);
        changes.push_back({std::move(what), std::move(parts), std::move(names)});
    };
    change("another seed", {"seed", "url argument"},
           [&](Recursive& p) { p.seed = host + test_server::site_page_path(1, small); });
    change("another -x", {"xpath", "-x"}, [](Recursive& p) { p.fields = {"-x", "//h1/text()"}; });
    change("a -s as well", {"css", "-s"}, [](Recursive& p) {
        p.fields.insert(p.fields.end(), {"-s", "h1"});
    });
    change("another -f", {"format", "-f"}, [](Recursive& p) { p.format = "csv"; });
    change("no -r", {"recursive", "-r"}, [](Recursive& p) { p.recursion.clear(); });
    change("another -l", {"depth", "-l"}, [](Recursive& p) { p.recursion = {"-r", "-l", "4"}; });
    change("--max-pages", {"max-pages"}, [](Recursive& p) { p.other = {"--max-pages", "20"}; });
    change("--scope", {"scope"}, [](Recursive& p) { p.other = {"--scope", "any"}; });
    change("--include", {"include"}, [](Recursive& p) { p.other = {"--include", "/site/"}; });
    change("--exclude", {"exclude"}, [](Recursive& p) { p.other = {"--exclude", "/nothing/"}; });
    for (const auto& [what, parts, names] : changes) {
        SCOPED_TRACE(what);
        const auto refused = run(command(parts));
        EXPECT_EQ(refused.run.status, 2) << refused.run.err;
        EXPECT_NE(refused.run.err.find("--state"), std::string::npos) << refused.run.err;
        EXPECT_TRUE(std::any_of(
            names.begin(), names.end(),
            [&](const std::string& name) { return names_option(refused.run.err, name); }))
            << "does not say what differs: " << refused.run.err;
        EXPECT_EQ(refused.requests, 0u);
        EXPECT_EQ(testing::read_file(files.output), records);
    }

    // Tuning is not the crawl: changed, the same crawl resumes, with nothing left to do.
    for (const std::vector<std::string>& tuning :
         std::vector<std::vector<std::string>>{{"-c", "7"},
                                               {"-m", "sync"},
                                               {"-m", "pool", "-t", "3"},
                                               {"--per-host", "3"},
                                               {"--delay", "0"},
                                               {"--timeout", "20"},
                                               {"--connect-timeout", "5"},
                                               {"--retries", "2"}}) {
        SCOPED_TRACE(tuning.front());
        Recursive parts = recursive();
        parts.other = tuning;
        const auto resumed_run = run(command(parts));
        EXPECT_EQ(resumed_run.run.status, 0) << resumed_run.run.err;
        EXPECT_TRUE(resumed(resumed_run.run)) << resumed_run.run.err;
        EXPECT_EQ(resumed_run.requests, 0u);
        EXPECT_EQ(parse_records(testing::read_file(files.output)).list.size(), crawled);
    }

    // --state-force: the other command is accepted, and the state is then its own: run again,
    // it needs no force.
    Recursive deeper = recursive();
    deeper.recursion = {"-r", "-l", "4"};
    deeper.other = {"--state-force"};
    const auto forced = run(command(deeper));
    EXPECT_TRUE(forced.run.status == 0 || forced.run.status == 1) << forced.run.err;
    EXPECT_TRUE(resumed(forced.run)) << forced.run.err;
    EXPECT_TRUE(parse_summary(forced.run.err).found) << forced.run.err;
    deeper.other.clear();
    const auto unforced = run(command(deeper));
    EXPECT_TRUE(unforced.run.status == 0 || unforced.run.status == 1) << unforced.run.err;
    EXPECT_TRUE(resumed(unforced.run)) << unforced.run.err;

    // A list crawl's list is its seeds: another list is another crawl.
    StateFiles list_files;
    write_list(20, list_path);
    const std::string other_list = testing::scratch_path("other-urls.txt");
    std::ofstream(other_list) << host << "/page/100\n" << host << "/page/101\n";
    const auto list_args = [&](const std::string& list) {
        return std::vector<std::string>{
            "crawl", "-i", list, "-f", "jsonl", "-o", list_files.output, "--state", list_files.dir};
    };
    ASSERT_EQ(run(list_args(list_path)).run.status, 0);
    const auto other = run(list_args(other_list));
    std::remove(other_list.c_str());
    EXPECT_EQ(other.run.status, 2) << other.run.err;
    EXPECT_NE(other.run.err.find("--state"), std::string::npos) << other.run.err;
    EXPECT_TRUE(names_option(other.run.err, "seed") || names_option(other.run.err, "input"))
        << other.run.err;
    EXPECT_EQ(other.requests, 0u);
}

TEST_F(FinishedState, OrderedOutputIsAUsageError) {
    write_list(5, list_path);
    auto args = list_command();
    args.push_back("--ordered");
    const auto refused = run(args);
    EXPECT_EQ(refused.run.status, 2) << refused.run.err;
    EXPECT_NE(refused.run.err.find("--ordered"), std::string::npos) << refused.run.err;
    EXPECT_EQ(refused.requests, 0u);
}

// ---- corocrawl state DIR: the summary, --export, --retry ----------------------------------------

TEST_F(FinishedState, StateSummarisesExportsAndPutsFailedUrlsBack) {
    // 30 pages; 10 that fail once (503) and then answer 200; 5 that are always 404; 3 that time
    // out: `--retries 0`, so each first answer is its record.
    std::vector<std::string> urls;
    for (int i = 0; i < 30; ++i) urls.push_back(host + "/page/" + std::to_string(i));
    for (int i = 0; i < 10; ++i)
        urls.push_back(host + "/flaky/state-retry-" + std::to_string(i) + "?fail=1&status=503");
    for (int i = 0; i < 5; ++i) urls.push_back(host + "/status/404?n=" + std::to_string(i));
    for (int i = 0; i < 3; ++i) urls.push_back(host + "/hang?n=" + std::to_string(i));
    std::string list;
    for (const auto& url : urls) list += url + "\n";
    std::ofstream(list_path) << list;
    auto command = list_command();
    command.insert(command.end(), {"--retries", "0", "--timeout", "0.5"});

    const auto first = run(command);
    EXPECT_EQ(first.run.status, 1) << first.run.err;  // some failed
    EXPECT_EQ(first.requests, urls.size());
    const auto records = parse_records(testing::read_file(files.output));
    ASSERT_EQ(records.list.size(), urls.size());

    auto state = stored_state(files.dir);
    expect_state_matches(state, records);
    EXPECT_EQ(state.number("ok"), 30u);
    EXPECT_EQ(state.failed_kinds(),
              (std::map<std::string, std::size_t>{{"http_status", 15}, {"timeout", 3}}));
    EXPECT_EQ(state.number("in flight at the last stop"), 0u);
    EXPECT_EQ(state.number("hosts"), 1u);

    // --export: every stored record, as -o FILE has it, in admission order (the list's).
    const auto exported = run_corocrawl({"state", files.dir, "--export"});
    EXPECT_EQ(exported.status, 0) << exported.err;
    const auto export_records = parse_records(exported.out);
    ASSERT_EQ(export_records.list.size(), urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i) {
        const auto& record = export_records.list[i];
        EXPECT_EQ(canonical(std::string(record.at("url").as_string())), canonical(urls[i]));
        EXPECT_EQ(record, records.by_url.at(canonical(urls[i])));
    }

    // Run again, finished: nothing fetched, and -o FILE (gone) written again from the store.
    std::filesystem::remove(files.output);
    const auto again = run(command);
    EXPECT_TRUE(resumed(again.run)) << again.run.err;
    EXPECT_EQ(again.requests, 0u);
    EXPECT_EQ(parse_summary(again.run.err).urls, 0u) << again.run.err;
    EXPECT_EQ(parse_records(testing::read_file(files.output)).by_url, records.by_url);

    // --retry http_status: the 503s and the 404s wait again; the timeouts stay finished.
    const auto put_back = run_corocrawl({"state", files.dir, "--retry", "http_status"});
    EXPECT_EQ(put_back.status, 0) << put_back.err;
    EXPECT_NE(put_back.err.find("corocrawl: 15 URLs put back"), std::string::npos) << put_back.err;
    state = stored_state(files.dir);
    expect_consistent(state);
    EXPECT_EQ(state.number("admitted"), urls.size());
    EXPECT_EQ(state.number("finished"), urls.size() - 15);
    EXPECT_EQ(state.number("waiting"), 15u);
    EXPECT_EQ(state.failed_kinds(), (std::map<std::string, std::size_t>{{"timeout", 3}}));

    // The next run fetches those 15 and no other; -o FILE has their new records, once each.
    const auto retried = run(command);
    EXPECT_TRUE(resumed(retried.run)) << retried.run.err;
    EXPECT_EQ(retried.requests, 15u);
    const auto summary = parse_summary(retried.run.err);
    EXPECT_EQ(summary.urls, 15u) << retried.run.err;
    EXPECT_EQ(summary.ok, 10u) << retried.run.err;
    auto after_retry = parse_records(testing::read_file(files.output));
    EXPECT_EQ(after_retry.list.size(), urls.size());
    EXPECT_EQ(after_retry.twice(), 0u);
    for (int i = 0; i < 10; ++i) {
        const auto url = canonical(urls[30 + i]);
        ASSERT_TRUE(after_retry.by_url.contains(url)) << url;
        EXPECT_EQ(testing::kind_of(after_retry.by_url.at(url)), "ok") << url;
    }
    state = stored_state(files.dir);
    expect_state_matches(state, after_retry);
    EXPECT_EQ(state.number("ok"), 40u);

    // Several kinds at once.
    const auto both = run_corocrawl({"state", files.dir, "--retry", "timeout,http_status"});
    EXPECT_EQ(both.status, 0) << both.err;
    EXPECT_NE(both.err.find("corocrawl: 8 URLs put back"), std::string::npos) << both.err;
    const auto last = run(command);
    EXPECT_EQ(last.requests, 8u);
    after_retry = parse_records(testing::read_file(files.output));
    EXPECT_EQ(after_retry.list.size(), urls.size());
    EXPECT_EQ(after_retry.twice(), 0u);
    expect_state_matches(stored_state(files.dir), after_retry);
}

TEST_F(FinishedState, StateOfNoStateIsAnError) {
    const auto missing = run_corocrawl({"state", files.dir});
    EXPECT_EQ(missing.status, 2) << missing.err;
    EXPECT_NE(missing.err.find(files.dir), std::string::npos) << missing.err;
    EXPECT_FALSE(std::filesystem::exists(files.dir)) << "`corocrawl state` made a state";
    std::filesystem::create_directories(files.dir);
    const auto empty = run_corocrawl({"state", files.dir});
    EXPECT_EQ(empty.status, 2) << empty.err;
    EXPECT_NE(empty.err.find(files.dir), std::string::npos) << empty.err;
    EXPECT_FALSE(std::filesystem::exists(files.database())) << "`corocrawl state` made a state";
}

TEST_F(FinishedState, TheStateDirectoryIsMadeWhenMissing) {
    write_list(5, list_path);
    ASSERT_FALSE(std::filesystem::exists(files.dir));
    const auto made = run(list_command());
    EXPECT_EQ(made.run.status, 0) << made.run.err;
    EXPECT_FALSE(resumed(made.run)) << made.run.err;
    EXPECT_TRUE(std::filesystem::exists(files.database()));
    EXPECT_EQ(stored_state(files.dir).number("finished"), 5u);
}

}  // namespace
}  // namespace corocrawl
