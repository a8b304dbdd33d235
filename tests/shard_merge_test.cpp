// Crawling with many machines, with the real binary: `crawl --shard I/N` splits one list of URLs
// by host over N processes (here 3, against the bundled server on 127.0.0.1, .2 and .3 and on
// names --resolve'd to it), and `merge` makes their record files one record per URL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "corocrawl/shard.hpp"
#include "records.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::run_corocrawl;

// jsonl records by their "url", each URL's count kept to see duplicates.
struct Records {
    std::map<std::string, boost::json::object> by_url;
    std::map<std::string, int> times;
    std::size_t size() const { return by_url.size(); }
};

Records parse_records(const std::string& text) {
    Records records;
    for (const auto& line : testing::lines(text)) {
        auto record = boost::json::parse(line).as_object();
        const std::string url(record.at("url").as_string());
        ++records.times[url];
        records.by_url[url] = std::move(record);
    }
    return records;
}

// The lower-cased host name of the list's http URLs; a line that is none, itself. (Not the
// library's shard_key(): the test would then agree with whatever it does.)
std::string host_of(const std::string& line) {
    const auto start = line.find("://");
    if (!line.starts_with("http://") && !line.starts_with("HTTP://")) return line;
    std::string host = line.substr(start + 3, line.find(':', start + 3) - start - 3);
    for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host;
}

std::string write_scratch(const std::string& stem, const std::string& text) {
    const std::string path = testing::scratch_path(stem);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// ---- crawl --shard
// -------------------------------------------------------------------------------

struct ShardCrawl : ::testing::Test {
    // One server per loopback address, so three hosts are three addresses; the names are
    // --resolve'd to the first.
    test_server::Server one{{.bind = "127.0.0.1", .port = 0, .delay = 0ms, .record_hosts = true}};
    test_server::Server two{{.bind = "127.0.0.2", .port = 0, .delay = 0ms, .record_hosts = true}};
    test_server::Server three{{.bind = "127.0.0.3", .port = 0, .delay = 0ms, .record_hosts = true}};
    const std::vector<std::string> names{"a.test", "b.test", "c.test",
                                         "d.test", "e.test", "f.test"};
    std::vector<std::string> hosts;      // "HOST:PORT", every one
    std::vector<std::string> http_urls;  // the list's URLs, 3 per host, one in upper case
    std::vector<std::string> list;       // http_urls and two lines that are no http(s) URL
    std::vector<std::string> scratch;

    ShardCrawl() {
        hosts = {"127.0.0.1:" + port(one), "127.0.0.2:" + port(two), "127.0.0.3:" + port(three)};
        for (const auto& name : names) hosts.push_back(name + ":" + port(one));
        for (int k = 0; k < 3; ++k)
            for (const auto& host : hosts)
                http_urls.push_back("http://" + host + "/page/" + std::to_string(k));
        http_urls.push_back("HTTP://A.TEST:" + port(one) + "/page/9");  // a.test's, as any case
        list = http_urls;
        list.push_back("not a url");
        list.push_back("ftp://example.com/file");
    }
    ~ShardCrawl() override {
        for (const auto& path : scratch) std::filesystem::remove_all(path);
    }

    static std::string port(const test_server::Server& server) {
        return std::to_string(server.port());
    }
    std::string file(const std::string& stem, const std::string& text) {
        scratch.push_back(write_scratch(stem, text));
        return scratch.back();
    }
    std::string list_file() {
        std::string text = "# the list\n";
        for (const auto& line : list) text += line + "\n\n";
        return file("urls.txt", text);
    }
    // `crawl -f FORMAT` with the names resolved, then `args`.
    testing::Run crawl(const std::vector<std::string>& args, const std::string& input = "",
                       const std::string& format = "jsonl") {
        std::vector<std::string> all{"crawl", "-f", format, "--retries", "0"};
        for (const auto& name : names) {
            all.push_back("--resolve");
            all.push_back(name + ":" + port(one) + ":127.0.0.1");
        }
        all.insert(all.end(), args.begin(), args.end());
        return run_corocrawl(all, input);
    }
    std::size_t requests() const {
        return one.stats().requests + two.stats().requests + three.stats().requests;
    }
    // What each server was asked, per Host name.
    std::map<std::string, std::size_t> requests_by_host() const {
        std::map<std::string, std::size_t> by_host;
        for (const auto* server : {&one, &two, &three})
            for (const auto& [host, record] : server->host_records())
                by_host[host] += record.requests;
        return by_host;
    }
};

TEST_F(ShardCrawl, ThreeShardsGiveEveryLineOneRecordAndEachHostOneShard) {
    const std::string urls = list_file();
    std::map<std::string, int> shard_of_url;
    std::map<std::string, std::set<int>> shards_of_host;
    for (int index = 0; index < 3; ++index) {
        const auto run = crawl({"--shard", std::to_string(index) + "/3", "-i", urls});
        const auto records = parse_records(run.out);
        EXPECT_GT(records.size(), 0u) << "shard " << index << " took nothing";
        bool failed = false;
        for (const auto& [url, record] : records.by_url) {
            EXPECT_EQ(records.times.at(url), 1) << url;
            EXPECT_TRUE(shard_of_url.emplace(url, index).second) << url << ": in two shards";
            const std::string key = host_of(url);
            shards_of_host[key].insert(index);
            EXPECT_EQ(fnv1a_64(key) % 3, static_cast<std::uint64_t>(index)) << url;
            failed = failed || testing::kind_of(record) != "ok";
        }
        EXPECT_EQ(run.status, failed ? 1 : 0) << run.err;
    }
    EXPECT_EQ(shard_of_url.size(), list.size());
    for (const auto& line : list) EXPECT_TRUE(shard_of_url.contains(line)) << line;
    for (const auto& [host, shards] : shards_of_host) EXPECT_EQ(shards.size(), 1u) << host;
    // Each URL fetched once, by its shard; the others' passed over without a request.
    EXPECT_EQ(requests(), http_urls.size());
    const auto by_host = requests_by_host();
    for (const auto& host : hosts) {
        const std::string name = host.substr(0, host.find(':'));
        EXPECT_EQ(by_host.at(name), name == "a.test" ? 4u : 3u) << name;
    }
}

TEST_F(ShardCrawl, ArgumentsAFileAndStdinSplitTheListAlike) {
    const std::string urls = list_file();
    std::string piped;
    for (const auto& line : list) piped += line + "\n";
    for (int index = 0; index < 3; ++index) {
        const std::string shard = std::to_string(index) + "/3";
        std::vector<std::string> arguments{"--shard", shard};
        arguments.insert(arguments.end(), list.begin(), list.end());
        const auto by_arguments = parse_records(crawl(arguments).out);
        const auto by_file = parse_records(crawl({"--shard", shard, "-i", urls}).out);
        const auto by_stdin = parse_records(crawl({"--shard", shard, "-i", "-"}, piped).out);
        EXPECT_GT(by_file.size(), 0u);
        EXPECT_EQ(by_arguments.times, by_file.times) << shard;
        EXPECT_EQ(by_stdin.times, by_file.times) << shard;
    }
}

TEST_F(ShardCrawl, BadShardsAreUsageErrorsBeforeAnyTraffic) {
    for (const char* bad : {"3/3", "x", "1/0", "", "-1/3", "1/3/5", "1 of 3"}) {
        const auto run = crawl({"--shard", bad, http_urls[0]});
        EXPECT_EQ(run.status, 2) << bad << ": " << run.err;
        EXPECT_NE(run.err.find("--shard"), std::string::npos) << bad << ": " << run.err;
        EXPECT_EQ(run.out, "") << bad;
    }
    EXPECT_EQ(crawl({http_urls[0], "--shard"}).status, 2);  // no value
    EXPECT_EQ(requests(), 0u);
}

TEST_F(ShardCrawl, TheProgressTotalCountsOnlyThisShardsUrls) {
    // Sync: the line (every 200 ms) is drawn many times in the second between 127.0.0.1's first
    // page and its second; the other hosts' pages would make the total 5.
    std::vector<std::string> args{"-m", "sync", "--progress", "-q", "--shard", "2/3"};
    std::string text;
    for (const auto& url :
         {"http://" + hosts[0] + "/page/1?delay=100", "http://" + hosts[1] + "/page/2",
          "http://" + hosts[2] + "/page/3", "http://" + hosts[1] + "/page/4",
          "http://" + hosts[0] + "/page/5?delay=1000"}) {
        args.push_back(url);
        text += url + "\n";
    }
    ASSERT_TRUE((Shard{2, 3}.takes(args[6])));  // 127.0.0.1 is shard 2's, .2 and .3 are not
    const auto arguments = crawl(args);
    EXPECT_EQ(arguments.status, 0) << arguments.err;
    EXPECT_NE(arguments.err.find("1/2 done (50.0%"), std::string::npos) << arguments.err;

    const auto listed = crawl({"-m", "sync", "--progress", "-q", "--shard", "2/3", "-i",
                               file("urls.txt", "# five\n" + text)});
    EXPECT_EQ(listed.status, 0) << listed.err;
    EXPECT_NE(listed.err.find("1/2 done (50.0%"), std::string::npos) << listed.err;
    EXPECT_EQ(two.stats().requests + three.stats().requests, 0u);
}

TEST_F(ShardCrawl, AStateBelongsToItsShard) {
    const std::string dir = testing::scratch_path("state");
    scratch.push_back(dir);
    const std::string urls = list_file();
    const auto first = crawl({"--shard", "2/3", "-i", urls, "--state", dir, "-q"});
    EXPECT_EQ(first.status, 0) << first.err;
    const auto other = crawl({"--shard", "1/3", "-i", urls, "--state", dir});
    EXPECT_EQ(other.status, 2) << other.err;
    EXPECT_NE(other.err.find("--shard: was '2/3', is now '1/3'"), std::string::npos) << other.err;
    const auto none = crawl({"-i", urls, "--state", dir});
    EXPECT_EQ(none.status, 2) << none.err;
    EXPECT_NE(none.err.find("--shard: was '2/3', is now ''"), std::string::npos) << none.err;
    const auto same = crawl({"--shard", "2/3", "-i", urls, "--state", dir});
    EXPECT_EQ(same.status, 0) << same.err;
    EXPECT_NE(same.err.find("resuming"), std::string::npos) << same.err;
    EXPECT_EQ(same.out, "");  // everything finished before
}

TEST_F(ShardCrawl, AnInterruptedShardResumesWithEachOfItsUrlsOnceAndNoOthers) {
    // Arguments, the other shards' between its own: a resume must skip the arguments its shard
    // took, not as many of the list.
    std::vector<std::string> own;
    std::vector<std::string> args{"-m", "sync", "--shard", "2/3", "--no-progress"};
    for (int k = 0; k < 24; ++k) {
        args.push_back("http://" + hosts[1] + "/page/" + std::to_string(k));
        own.push_back("http://" + hosts[0] + "/page/" + std::to_string(k) + "?delay=60");
        args.push_back(own.back());
        args.push_back("http://" + hosts[2] + "/page/" + std::to_string(k));
    }
    const std::string dir = testing::scratch_path("state"), output = testing::scratch_path("out");
    scratch.push_back(dir);
    scratch.push_back(output);
    args.insert(args.end(), {"--state", dir, "-o", output});

    std::vector<std::string> all{"crawl", "-f", "jsonl"};
    all.insert(all.end(), args.begin(), args.end());
    const auto stopped = run_corocrawl(
        all, "", testing::Interrupt(300ms, SIGINT, 0, [&] { return one.stats().requests >= 4; }));
    ASSERT_EQ(stopped.status, 130) << stopped.err;
    const auto before = parse_records(testing::read_file(output)).size();
    EXPECT_GT(before, 0u);
    EXPECT_LT(before, own.size());

    const auto resumed = run_corocrawl(all);
    EXPECT_EQ(resumed.status, 0) << resumed.err;
    // "corocrawl: resuming DIR: K URLs finished before", then this run's summary of the rest.
    const auto finished_at = resumed.err.find(" URLs finished before");
    ASSERT_NE(finished_at, std::string::npos) << resumed.err;
    const auto number_at = resumed.err.rfind(' ', finished_at - 1) + 1;
    const auto finished = std::stoul(resumed.err.substr(number_at, finished_at - number_at));
    EXPECT_GT(finished, 0u);
    EXPECT_NE(resumed.err.find("corocrawl: " + std::to_string(own.size() - finished) + " URLs"),
              std::string::npos)
        << resumed.err;
    const auto records = parse_records(testing::read_file(output));
    EXPECT_EQ(records.size(), own.size());
    for (const auto& url : own) {
        ASSERT_TRUE(records.times.contains(url)) << url;
        EXPECT_EQ(records.times.at(url), 1) << url;
    }
    EXPECT_EQ(two.stats().requests + three.stats().requests, 0u);
    EXPECT_LE(one.stats().requests, own.size() + 1);  // at most the one in flight again
}

TEST_F(ShardCrawl, TheShardsRecordsMergeIntoOneRecordPerLine) {
    const std::string urls = list_file();
    std::vector<std::string> jsonl_files;
    std::string csv;  // the three CSV outputs one after another, as `>>` leaves them
    for (int index = 0; index < 3; ++index) {
        const std::string shard = std::to_string(index) + "/3";
        jsonl_files.push_back(file("shard.jsonl", crawl({"--shard", shard, "-i", urls}).out));
        csv += crawl({"--shard", shard, "-i", urls}, "", "csv").out;
    }
    // Shard 0's file twice, as a worker's records delivered again.
    std::vector<std::string> args{"merge", jsonl_files[0], jsonl_files[1], jsonl_files[2],
                                  jsonl_files[0]};
    const auto merged = run_corocrawl(args);
    EXPECT_EQ(merged.status, 0) << merged.err;
    const auto records = parse_records(merged.out);
    EXPECT_EQ(records.size(), list.size());
    for (const auto& [url, times] : records.times) EXPECT_EQ(times, 1) << url;
    const auto again = parse_records(testing::read_file(jsonl_files[0])).size();
    EXPECT_NE(merged.err.find("corocrawl: merged " + std::to_string(list.size() + again) +
                              " records from 4 files into " + std::to_string(list.size()) + " (" +
                              std::to_string(again) + " duplicates)"),
              std::string::npos)
        << merged.err;

    const auto from_csv = run_corocrawl({"merge", file("all.csv", csv)});
    EXPECT_EQ(from_csv.status, 0) << from_csv.err;
    const std::string count = std::to_string(list.size());
    EXPECT_NE(from_csv.err.find("merged " + count + " records from 1 files into " + count +
                                " (0 duplicates)"),
              std::string::npos)
        << from_csv.err;
    const auto rows = testing::lines(from_csv.out);
    ASSERT_EQ(rows.size(), 1 + list.size()) << from_csv.out;
    EXPECT_EQ(rows[0], "url,field,value,depth,referrer\r");
    std::set<std::string> urls_seen;
    for (std::size_t i = 1; i < rows.size(); ++i)
        urls_seen.insert(rows[i].substr(0, rows[i].find(',')));
    EXPECT_EQ(urls_seen, std::set<std::string>(list.begin(), list.end()));
}

// ---- merge
// ----------------------------------------------------------------------------------------

// A jsonl record as crawl writes one, `mark` in its results to tell the copies apart.
std::string record(const std::string& url, bool ok, const std::string& mark) {
    boost::json::object record{
        {"url", url},
        {"final_url", url},
        {"status", ok ? 200 : 503},
        {"ok", ok},
        {"elapsed_ms", 1},
        {"bytes", 10},
        {"attempts", 1},
        {"depth", 0},
        {"referrer", nullptr},
        {"results", {{"mark", boost::json::array{boost::json::string(mark)}}}},
        {"error", nullptr}};
    if (!ok) record["error"] = {{"kind", "http_status"}, {"message", "HTTP 503"}};
    return boost::json::serialize(record) + "\n";
}

std::string mark_of(const boost::json::object& record) {
    return std::string(record.at("results").at("mark").at(0).as_string());
}

struct Merge : ::testing::Test {
    std::vector<std::string> scratch;
    ~Merge() override {
        for (const auto& path : scratch) std::filesystem::remove(path);
    }
    std::string file(const std::string& text, const std::string& stem = "records.jsonl") {
        scratch.push_back(write_scratch(stem, text));
        return scratch.back();
    }
};

TEST_F(Merge, OkBeatsFailedAndAmongEqualsTheLastGivenWins) {
    const auto first = file(record("http://a/", true, "a1") + record("http://b/", false, "b1") +
                            record("http://c/", true, "c1") + record("http://e/", false, "e1") +
                            record("http://e/", false, "e2"));
    const auto second = file(record("http://b/", true, "b2") + record("http://a/", false, "a2") +
                             record("http://d/", false, "d2") + record("http://c/", true, "c2"));
    const auto run = run_corocrawl({"merge", first, second});
    EXPECT_EQ(run.status, 0) << run.err;
    const auto lines = testing::lines(run.out);
    ASSERT_EQ(lines.size(), 5u) << run.out;
    std::vector<std::string> order, marks;
    for (const auto& line : lines) {
        const auto object = boost::json::parse(line).as_object();
        order.emplace_back(object.at("url").as_string());
        marks.push_back(mark_of(object));
    }
    EXPECT_EQ(order, (std::vector<std::string>{"http://a/", "http://b/", "http://c/", "http://e/",
                                               "http://d/"}));  // as they first came
    // a: ok before a later failure; b: a later ok over a failure; c: both ok, the later file's;
    // e: both failed, the later line's.
    EXPECT_EQ(marks, (std::vector<std::string>{"a1", "b2", "c2", "e2", "d2"}));
    EXPECT_EQ(run.out.find(record("http://a/", true, "a1")), 0u) << "not written as read";
    EXPECT_NE(run.err.find("corocrawl: merged 9 records from 2 files into 5 (4 duplicates)"),
              std::string::npos)
        << run.err;

    // The other way round, the later file's records win the ties.
    const auto reversed = run_corocrawl({"merge", second, first, "-q"});
    EXPECT_EQ(reversed.err, "");
    std::vector<std::string> reversed_marks;
    for (const auto& line : testing::lines(reversed.out))
        reversed_marks.push_back(mark_of(boost::json::parse(line).as_object()));
    EXPECT_EQ(reversed_marks, (std::vector<std::string>{"b2", "a1", "d2", "c1", "e2"}));
}

TEST_F(Merge, CsvFilesWithRepeatedHeadersGiveOneHeaderAndWholeRecords) {
    const std::string header = "url,field,value,depth,referrer\r\n";
    // A crawl with -x, restarted and appending: the header again, a/ again (its later values).
    const auto appended = file(header + "http://a/,t,one,0,\r\nhttp://a/,t,two,0,\r\n" +
                                   "http://b/,t,\"multi\r\nline, \"\"quoted\"\"\",1,http://a/\r\n" +
                                   header + "http://a/,t,three,0,\r\n",
                               "records.csv");
    // A crawl without -x: status rows; c/ failed here, ok in the first file... and d/.
    const auto statuses =
        file(header + "http://c/,,503,0,\r\nhttp://a/,,timeout,0,\r\nhttp://d/,,200,0,\r\n",
             "records.csv");
    const auto more = file(header + "http://c/,,200,0,\r\n", "records.csv");
    const auto run = run_corocrawl({"merge", appended, statuses, more});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, header + "http://a/,t,three,0,\r\n" +
                           "http://b/,t,\"multi\r\nline, \"\"quoted\"\"\",1,http://a/\r\n" +
                           "http://c/,,200,0,\r\n" + "http://d/,,200,0,\r\n");
    EXPECT_NE(run.err.find("merged 7 records from 3 files into 4 (3 duplicates)"),
              std::string::npos)
        << run.err;
}

TEST_F(Merge, ALineThatIsNotARecordIsNamedAndTheRestIsMerged) {
    const auto path = file(record("http://a/", true, "a") + "garbage\n" + "{\"ok\":true}\n" +
                           record("http://b/", true, "b") + "{\"url\":\"http://c/\",\"ok\":tr");
    const auto run = run_corocrawl({"merge", path});
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_EQ(parse_records(run.out).size(), 2u);
    for (const std::string line :
         {":2: not a record (", ":3: not a record (no \"url\" string)", ":5: not a record ("}) {
        EXPECT_NE(run.err.find(path + line), std::string::npos) << line << " in " << run.err;
    }
    EXPECT_NE(run.err.find("merged 2 records from 1 files into 2 (0 duplicates)"),
              std::string::npos)
        << run.err;
}

TEST_F(Merge, AMissingFileMixedFormatsOrNotRecordsAreUsageErrorsBeforeAnyOutput) {
    const auto jsonl = file(record("http://a/", true, "a"));
    const auto csv = file("url,field,value,depth,referrer\r\nhttp://a/,,200,0,\r\n", "r.csv");
    const auto text = file("200\thttp://a/\n", "records.txt");  // crawl -f text
    const auto output = file("kept\n", "out");
    const std::string missing = testing::scratch_path("missing.jsonl");
    for (const auto& [args, says] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"merge", jsonl, missing, "-o", output}, "cannot read " + missing},
             {{"merge", jsonl, csv, "-o", output}, "is CSV"},
             {{"merge", text, "-o", output}, "not records"},
             {{"merge", jsonl, jsonl, "-o", jsonl}, "also an input"},
             {{"merge", jsonl, std::filesystem::temp_directory_path().string(), "-o", output},
              "a directory"},
             {{"merge", "-o", output}, "files"},
             {{"merge", "-", "-", "-o", output}, "twice"}}) {
        const auto run = run_corocrawl(args);
        EXPECT_EQ(run.status, 2) << says << ": " << run.err;
        EXPECT_NE(run.err.find(says), std::string::npos) << run.err;
        EXPECT_EQ(run.out, "");
        EXPECT_EQ(testing::read_file(output), "kept\n") << says;
    }
    EXPECT_EQ(testing::read_file(jsonl), record("http://a/", true, "a"));
}

TEST_F(Merge, ReadsStdinBesideFilesAndWritesTheOutputFile) {
    const auto path = file(record("http://a/", false, "a1") + record("http://b/", true, "b1"));
    const std::string output = testing::scratch_path("merged.jsonl");
    scratch.push_back(output);
    const auto run = run_corocrawl({"merge", path, "-", "-o", output, "-q"},
                                   record("http://a/", true, "a2") + "\n");
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "");
    EXPECT_EQ(testing::read_file(output),
              record("http://a/", true, "a2") + record("http://b/", true, "b1"));
}

}  // namespace
}  // namespace corocrawl
