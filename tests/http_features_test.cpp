// HTTP as the real web speaks it, end to end: TLS, compression, retries, request options, charsets
// and non-HTML bodies — the real `corocrawl` (and the library) against the bundled server over
// loopback.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "charset_samples.hpp"
#include "crawl_support.hpp"
#include "records.hpp"
#include "self_signed_certificate.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using boost::json::object;
using testing::kind_of;
using testing::lines;
using testing::message_of;
using testing::Run;
using testing::run_corocrawl;

const std::string feng = R"(//a[@id="feng"]/@href)";
const std::string haha = "http://www.haha.com";

std::vector<object> records_of(const Run& run) {
    std::vector<object> records;
    for (const auto& line : lines(run.out)) records.push_back(boost::json::parse(line).as_object());
    return records;
}

object only_record(const Run& run) {
    const auto records = records_of(run);
    if (records.size() != 1) {
        ADD_FAILURE() << "expected one record:\n" << run.out << run.err;
        return {};
    }
    return records.front();
}

std::vector<std::string> values_of(const object& record, const std::string& xpath) {
    std::vector<std::string> values;
    for (const auto& value : record.at("results").at(xpath).as_array()) {
        values.emplace_back(value.as_string());
    }
    return values;
}

// A file holding `contents` for as long as the test needs it.
struct ScratchFile {
    std::string path;
    ScratchFile(const std::string& stem, const std::string& contents)
        : path(testing::scratch_path(stem)) {
        std::ofstream(path, std::ios::binary) << contents;
    }
    ~ScratchFile() { std::remove(path.c_str()); }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
};

test_server::ServerOptions quick_server(const testing::CertificateAndKey* tls = nullptr) {
    test_server::ServerOptions options{.port = 0, .delay = 0ms};
    if (tls) {
        options.tls_certificate_pem = tls->certificate_pem;
        options.tls_private_key_pem = tls->private_key_pem;
    }
    return options;
}

struct PlainServer : ::testing::Test {
    test_server::Server server{quick_server()};
    std::string url(const std::string& path) const { return server.base_url() + path; }
};

// ---- HTTPS ------------------------------------------------------------------------------------

struct Https : ::testing::Test {
    testing::CertificateAndKey tls =
        testing::make_self_signed_certificate("IP:127.0.0.1,DNS:localhost");
    test_server::Server server{quick_server(&tls)};
    ScratchFile ca{"ca.pem", tls.certificate_pem};
    std::string url(const std::string& path) const { return server.base_url() + path; }
};

// The server speaks nothing but TLS: two requests counted there went over TLS. A relative
// redirect keeps the scheme, and the record names the https URLs.
TEST_F(Https, HttpsUrlIsFetchedOverTlsAndARelativeRedirectStaysHttps) {
    const auto run = run_corocrawl(
        {"crawl", url("/redirect/1"), "-f", "jsonl", "--cacert", ca.path, "--retries", "0"});
    EXPECT_EQ(run.status, 0) << run.err;
    const auto record = only_record(run);
    EXPECT_EQ(kind_of(record), "ok") << message_of(record);
    EXPECT_EQ(std::string(record.at("url").as_string()), url("/redirect/1"));
    EXPECT_EQ(std::string(record.at("final_url").as_string()), url("/redirect/0"));
    EXPECT_EQ(record.at("status").as_int64(), 200);
    EXPECT_EQ(server.stats().requests.load(), 2u);
}

TEST_F(Https, UntrustedCertificateIsATlsErrorNamingTheReason) {
    const auto run = run_corocrawl({"crawl", url("/page/1"), "-f", "jsonl", "--retries", "0"});
    EXPECT_EQ(run.status, 1) << run.err;
    const auto record = only_record(run);
    EXPECT_EQ(kind_of(record), "tls");
    EXPECT_NE(message_of(record).find("certificate"), std::string::npos) << message_of(record);
    EXPECT_EQ(server.stats().requests.load(), 0u);  // nothing was sent over the untrusted channel
}

TEST_F(Https, CacertTrustsTheServerInEveryMode) {
    for (const char* mode : {"async", "pool", "sync"}) {
        const auto run =
            run_corocrawl({"crawl", url("/page/1"), "-x", feng, "--cacert", ca.path, "-m", mode});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        EXPECT_EQ(run.out, haha + "\n") << mode;
    }
}

TEST_F(Https, HostNameFromTheUrlIsCheckedAgainstTheCertificate) {
    const std::string localhost = "https://localhost:" + std::to_string(server.port());
    const auto by_name = run_corocrawl({"crawl", localhost + "/page/2", "-x", "//title/text()",
                                        "--cacert", ca.path, "--retries", "0"});
    EXPECT_EQ(by_name.status, 0) << by_name.err;
    EXPECT_EQ(by_name.out, "page 2\n");
}

// A server whose certificate the client trusts (--cacert ca), made out to another name.
struct Impostor {
    testing::CertificateAndKey tls = testing::make_self_signed_certificate("DNS:other.example");
    test_server::Server server{quick_server(&tls)};
    ScratchFile ca{"impostor-ca.pem", tls.certificate_pem};

    Run crawl() const {
        return run_corocrawl({"crawl", server.base_url() + "/page/1", "-f", "jsonl", "--cacert",
                              ca.path, "--retries", "0"});
    }
};

TEST(HttpsHostName, TrustedCertificateForAnotherNameIsATlsError) {
    Impostor impostor;
    const auto run = impostor.crawl();
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_EQ(kind_of(only_record(run)), "tls");
    EXPECT_EQ(impostor.server.stats().requests.load(), 0u);
}

TEST(HttpsHostName, MismatchIsNamedInTheMessage) {
    Impostor impostor;
    const auto message = message_of(only_record(impostor.crawl()));
    EXPECT_NE(message.find("mismatch"), std::string::npos) << message;
}

TEST_F(Https, InsecureSkipsVerification) {
    const auto run = run_corocrawl({"crawl", url("/page/1"), "-x", feng, "-k"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, haha + "\n");
}

TEST_F(Https, KeepAliveReusesOneTlsConnection) {
    for (auto mode : {std::vector<std::string>{"-m", "async", "-c", "1"},
                      std::vector<std::string>{"-m", "pool", "-t", "1"},
                      std::vector<std::string>{"-m", "sync"}}) {
        std::vector<std::string> args{"crawl",    "-x",    "//title/text()",
                                      "--cacert", ca.path, "--ordered"};
        args.insert(args.end(), mode.begin(), mode.end());
        for (int n = 1; n <= 5; ++n) args.push_back(url("/page/" + std::to_string(n)));
        const auto connections_before = server.stats().connections.load();
        const auto requests_before = server.stats().requests.load();
        const auto run = run_corocrawl(args);
        EXPECT_EQ(run.status, 0) << mode[1] << ": " << run.err;
        EXPECT_EQ(run.out, "page 1\npage 2\npage 3\npage 4\npage 5\n") << mode[1];
        EXPECT_EQ(server.stats().requests.load() - requests_before, 5u) << mode[1];
        EXPECT_EQ(server.stats().connections.load() - connections_before, 1u) << mode[1];
    }
}

TEST_F(Https, ANewConnectionResumesTheOriginsTlsSession) {
    // `Connection: close` makes every request need a connection of its own: each after the first
    // offers the session the server gave the one before, and the server resumes it.
    for (auto mode : {std::vector<std::string>{"-m", "async", "-c", "1"},
                      std::vector<std::string>{"-m", "pool", "-t", "1"},
                      std::vector<std::string>{"-m", "sync"}}) {
        std::vector<std::string> args{"crawl",     "-x", "//title/text()",   "--cacert", ca.path,
                                      "--ordered", "-H", "Connection: close"};
        args.insert(args.end(), mode.begin(), mode.end());
        for (int n = 1; n <= 4; ++n) args.push_back(url("/page/" + std::to_string(n)));
        const auto connections_before = server.stats().connections.load();
        const auto resumed_before = server.stats().tls_resumed.load();
        const auto run = run_corocrawl(args);
        EXPECT_EQ(run.status, 0) << mode[1] << ": " << run.err;
        EXPECT_EQ(run.out, "page 1\npage 2\npage 3\npage 4\n") << mode[1];
        EXPECT_EQ(server.stats().connections.load() - connections_before, 4u) << mode[1];
        EXPECT_EQ(server.stats().tls_resumed.load() - resumed_before, 3u) << mode[1];
    }
}

TEST_F(Https, ServeCommandServesHttpsFromPemFiles) {
    ScratchFile key("key.pem", tls.private_key_pem);
    const auto run = run_corocrawl(
        {"serve", "--port", "0", "--tls-cert", ca.path, "--tls-key", key.path}, "", 500ms);
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_TRUE(run.out.starts_with("serving https://127.0.0.1:")) << run.out;

    // Interrupted too, in case they serve after all.
    const auto without_key =
        run_corocrawl({"serve", "--port", "0", "--tls-cert", ca.path}, "", 500ms);
    EXPECT_EQ(without_key.status, 2) << without_key.err;

    ScratchFile not_a_key("not-a-key.pem", "not PEM at all\n");
    const auto bad_key = run_corocrawl(
        {"serve", "--port", "0", "--tls-cert", ca.path, "--tls-key", not_a_key.path}, "", 500ms);
    EXPECT_EQ(bad_key.status, 1);
    EXPECT_NE(bad_key.err.find("TLS"), std::string::npos) << bad_key.err;
}

// ---- compression ------------------------------------------------------------------------------

using Compression = PlainServer;

const std::vector<std::string> encodings{"gzip", "deflate", "br", "zstd"};
const std::vector<std::string> modes{"async", "pool", "sync"};

TEST_F(Compression, EveryEncodingExtractsWhatThePlainPageGivesInEveryMode) {
    std::vector<std::string> args{"crawl", url("/page/3")};
    for (const auto& encoding : encodings) args.push_back(url("/" + encoding + "/page/3"));
    for (const auto& option : {"-x", "//title/text()", "-x", feng.c_str(), "-x",
                               "//a[@class='next']/@href", "-f", "jsonl", "--ordered", "-m"}) {
        args.emplace_back(option);
    }
    for (const auto& mode : modes) {
        args.push_back(mode);
        const auto run = run_corocrawl(args);
        args.pop_back();
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        const auto records = records_of(run);
        ASSERT_EQ(records.size(), 1 + encodings.size()) << run.out;
        const auto& plain = records[0];
        EXPECT_EQ(values_of(plain, "//title/text()"), std::vector<std::string>{"page 3"});
        for (std::size_t i = 1; i < records.size(); ++i) {
            const auto& compressed = records[i];
            EXPECT_EQ(compressed.at("results"), plain.at("results")) << mode << " " << compressed;
            // `bytes` counts what came over the wire: less than the page it decodes to.
            EXPECT_LT(compressed.at("bytes").as_int64(), plain.at("bytes").as_int64())
                << compressed;
        }
    }
}

TEST_F(Compression, DecodedBodyIsThePlainPageByteForByte) {
    std::vector<std::string> urls{url("/page/7")};
    for (const auto& encoding : encodings) urls.push_back(url("/" + encoding + "/page/7"));
    const auto results = testing::crawl_all({}, urls);
    ASSERT_EQ(results.size(), urls.size());
    const auto& plain = results.at(0);
    ASSERT_TRUE(plain.ok()) << plain.error->message;
    for (std::size_t i = 1; i < urls.size(); ++i) {
        const auto& compressed = results.at(i);
        ASSERT_TRUE(compressed.ok()) << compressed.url << ": " << compressed.error->message;
        EXPECT_EQ(compressed.body, plain.body) << compressed.url;
        EXPECT_EQ(compressed.header("content-encoding"), encodings[i - 1]);
        EXPECT_LT(compressed.bytes, compressed.body.size()) << compressed.url;
    }
}

// Largest resident set of the waited-for children so far, in KiB (Linux's unit).
long peak_child_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_maxrss;
}

// Decoding a whole 1 GiB bomb would take over 1 GiB. (AddressSanitizer's shadow memory adds to
// what any run uses.)
#ifdef __SANITIZE_ADDRESS__
constexpr long bomb_rss_limit_kib = 512 * 1024;
#else
constexpr long bomb_rss_limit_kib = 128 * 1024;
#endif

TEST_F(Compression, GzipBombStopsAtMaxBodyWithBoundedMemory) {
    // 1 GiB of zeros in about 1 MiB of gzip.
    const auto run = run_corocrawl(
        {"crawl", url("/gzip/bomb"), "--max-body", "1MiB", "-f", "jsonl", "--retries", "0"});
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_EQ(kind_of(only_record(run)), "body_too_large") << run.out;
    EXPECT_LT(peak_child_rss_kib(), bomb_rss_limit_kib) << "the client decoded far past --max-body";
    EXPECT_LT(run.elapsed, 20s);  // not a speed check: a hung client would stay for the timeout
}

TEST_F(Compression, BrotliAndZstdBombsStopAtMaxBodyWithBoundedMemoryInEveryMode) {
    for (const std::string encoding : {"br", "zstd"}) {
        for (const auto& mode : modes) {
            // 1 GiB of zeros in a few KiB.
            const auto run = run_corocrawl({"crawl", url("/" + encoding + "/bomb"), "--max-body",
                                            "1MiB", "-f", "jsonl", "--retries", "0", "-m", mode});
            EXPECT_EQ(run.status, 1) << encoding << " " << mode << ": " << run.err;
            const auto record = only_record(run);
            EXPECT_EQ(kind_of(record), "body_too_large") << run.out;
            EXPECT_LT(record.at("bytes").as_int64(), 1 << 20) << "the bomb itself is small";
            EXPECT_LT(peak_child_rss_kib(), bomb_rss_limit_kib)
                << encoding << " " << mode << ": the client decoded far past --max-body";
        }
    }
}

TEST_F(Compression, EveryEncodingWithinTheLimitDecodesWhole) {
    CrawlOptions options;
    options.fetch.max_body = 4 << 20;
    std::vector<std::string> urls;
    for (const std::string encoding : {"gzip", "br", "zstd"}) {
        urls.push_back(url("/" + encoding + "/bomb?size=3000000"));
    }
    for (const auto& [index, result] : testing::crawl_all(options, urls)) {
        ASSERT_TRUE(result.ok()) << result.url << ": " << result.error->message;
        EXPECT_EQ(result.body.size(), 3'000'000u) << result.url;
        EXPECT_EQ(std::count(result.body.begin(), result.body.end(), '\0'), 3'000'000);
        EXPECT_LT(result.bytes, 10'000u) << result.url;
    }
}

TEST_F(Compression, CorruptBodyIsADecodeErrorInEveryEncodingAndMode) {
    for (const std::string encoding : {"gzip", "br", "zstd"}) {
        for (const auto& mode : modes) {
            const auto run = run_corocrawl(
                {"crawl", url("/" + encoding + "/corrupt"), "-f", "jsonl", "-x", feng, "-m", mode});
            EXPECT_EQ(run.status, 1) << encoding << " " << mode << ": " << run.err;
            const auto record = only_record(run);
            EXPECT_EQ(kind_of(record), "decode") << run.out;
            EXPECT_EQ(record.at("attempts").as_int64(), 1);  // a corrupt body is not worth retrying
        }
    }
}

// ---- what the request carries (/echo?as=html hands it back inside a page) ---------------------

const std::string echo_xpath = R"(//pre[@id="echo"]/text())";

struct Requests : PlainServer {
    // What the server received for a crawl of /echo?as=html with `options` (jsonl: lossless).
    object echoed(std::vector<std::string> options) {
        std::vector<std::string> args{"crawl", url("/echo?as=html"), "-x", echo_xpath, "-f",
                                      "jsonl"};
        args.insert(args.end(), options.begin(), options.end());
        const auto run = run_corocrawl(args);
        EXPECT_EQ(run.status, 0) << run.err;
        const auto values = values_of(only_record(run), echo_xpath);
        if (values.size() != 1) {
            ADD_FAILURE() << "no echo in " << run.out;
            return {};
        }
        return boost::json::parse(values.front()).as_object();
    }

    static std::string header(const object& echo, const std::string& name) {
        const auto* value = echo.at("headers").as_object().if_contains(name);
        return value ? std::string(value->as_string()) : "(absent)";
    }
};

TEST_F(Requests, HeadersUserAgentAndCookieArriveAsSent) {
    const auto echo = echoed({"-H", "X-Custom: one, two", "-H", "X-Second: 2", "-A",
                              "tester/1.0 (+https://example.com)", "--cookie", "a=b; c=d"});
    EXPECT_EQ(echo.at("method").as_string(), "GET");
    EXPECT_EQ(header(echo, "x-custom"), "one, two");
    EXPECT_EQ(header(echo, "x-second"), "2");
    EXPECT_EQ(header(echo, "user-agent"), "tester/1.0 (+https://example.com)");
    EXPECT_EQ(header(echo, "cookie"), "a=b; c=d");
    EXPECT_EQ(echo.at("body").as_string(), "");
}

TEST_F(Requests, MethodAndBodyArriveAsSent) {
    EXPECT_EQ(echoed({"-X", "PUT"}).at("method").as_string(), "PUT");

    const auto form = echoed({"-d", "a=1"});
    EXPECT_EQ(form.at("method").as_string(), "POST");
    EXPECT_EQ(form.at("body").as_string(), "a=1");
    EXPECT_EQ(header(form, "content-type"), "application/x-www-form-urlencoded");

    const std::string contents = "x=1&y=2\nsecond line\n";
    ScratchFile data("data.txt", contents);
    const auto from_file =
        echoed({"-d", "@" + data.path, "-X", "PATCH", "-H", "Content-Type: text/plain"});
    EXPECT_EQ(from_file.at("method").as_string(), "PATCH");
    EXPECT_EQ(from_file.at("body").as_string(), contents);
    EXPECT_EQ(header(from_file, "content-type"), "text/plain");
    EXPECT_EQ(header(from_file, "content-length"), std::to_string(contents.size()));
}

TEST_F(Requests, CompressionIsAskedForUnlessNoCompressed) {
    const auto asked = header(echoed({}), "accept-encoding");
    EXPECT_EQ(asked, "gzip, deflate, br, zstd");
    EXPECT_EQ(header(echoed({"--no-compressed"}), "accept-encoding"), "(absent)");
}

TEST_F(Requests, HeaderWithCrLfIsAUsageErrorBeforeAnyTraffic) {
    const auto run =
        run_corocrawl({"crawl", url("/echo"), "-H", "X-Evil: a\r\nInjected: b", "-f", "jsonl"});
    EXPECT_EQ(run.status, 2) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(server.stats().connections.load(), 0u);
    EXPECT_EQ(server.stats().requests.load(), 0u);
}

// ---- retries ----------------------------------------------------------------------------------

using Retries = PlainServer;

TEST_F(Retries, TwoFailuresThenSuccessTakesThreeAttemptsInEveryMode) {
    for (std::string mode : {"async", "pool", "sync"}) {
        const auto run = run_corocrawl({"crawl", url("/flaky/third-" + mode + "?fail=2"), "-f",
                                        "jsonl", "-x", feng, "--retry-delay", "0.05", "-m", mode});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        const auto record = only_record(run);
        EXPECT_EQ(record.at("status").as_int64(), 200) << mode;
        EXPECT_EQ(record.at("attempts").as_int64(), 3) << mode;
        EXPECT_EQ(values_of(record, feng), std::vector<std::string>{haha}) << mode;
    }
}

TEST_F(Retries, WithoutRetriesTheFirst503IsTheAnswer) {
    const auto run =
        run_corocrawl({"crawl", url("/flaky/no-retries?fail=2"), "-f", "jsonl", "--retries", "0"});
    EXPECT_EQ(run.status, 1) << run.err;
    const auto record = only_record(run);
    EXPECT_EQ(kind_of(record), "http_status");
    EXPECT_EQ(record.at("status").as_int64(), 503);
    EXPECT_EQ(record.at("attempts").as_int64(), 1);
}

TEST_F(Retries, RetryAfterIsWaitedFor) {
    const auto run =
        run_corocrawl({"crawl", url("/flaky/retry-after?fail=1&status=429&retry_after=1"), "-f",
                       "jsonl", "--retry-delay", "0.05"});
    EXPECT_EQ(run.status, 0) << run.err;
    const auto record = only_record(run);
    EXPECT_EQ(record.at("attempts").as_int64(), 2);
    EXPECT_GE(record.at("elapsed_ms").as_int64(), 900);  // Retry-After: 1, not the 50 ms backoff
    EXPECT_LT(record.at("elapsed_ms").as_int64(), 3000);
}

TEST_F(Retries, PostIsRetriedOnlyWithRetryAll) {
    const auto once = run_corocrawl(
        {"crawl", url("/flaky/post?fail=1"), "-d", "a=1", "-f", "jsonl", "--retry-delay", "0.05"});
    EXPECT_EQ(once.status, 1) << once.err;
    EXPECT_EQ(only_record(once).at("attempts").as_int64(), 1);

    const auto retried = run_corocrawl({"crawl", url("/flaky/post-all?fail=1"), "-d", "a=1", "-f",
                                        "jsonl", "--retry-delay", "0.05", "--retry-all"});
    EXPECT_EQ(retried.status, 0) << retried.err;
    EXPECT_EQ(only_record(retried).at("attempts").as_int64(), 2);
}

// ---- charsets ---------------------------------------------------------------------------------

const std::string sample_xpath = R"(//p[@id="t"]/text())";
const std::string title_xpath = "//title/text()";

struct Charsets : PlainServer, ::testing::WithParamInterface<std::string> {};

// Every charset in one crawl per way of declaring it.
TEST_P(Charsets, EverySampleComesOutAsUtf8) {
    std::vector<std::string> args{"crawl",     "-x", sample_xpath, "-x",
                                  title_xpath, "-f", "jsonl",      "--ordered"};
    for (const auto& sample : test_server::charset_samples) {
        args.push_back(url("/charset/" + std::string(sample.charset) + "?declare=" + GetParam()));
    }
    const auto run = run_corocrawl(args);
    EXPECT_EQ(run.status, 0) << run.err;
    const auto records = records_of(run);
    ASSERT_EQ(records.size(), test_server::charset_samples.size()) << run.out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::vector<std::string> expected{std::string(test_server::charset_samples[i].text)};
        const auto& charset = test_server::charset_samples[i].charset;
        EXPECT_EQ(values_of(records[i], sample_xpath), expected) << charset;
        EXPECT_EQ(values_of(records[i], title_xpath), expected) << charset;
    }
}

// header: Content-Type only; meta and http-equiv: the page only; both: the header contradicts
// the page's <meta>, and wins.
INSTANTIATE_TEST_SUITE_P(Declared, Charsets,
                         ::testing::Values("header", "meta", "http-equiv", "both"),
                         [](const auto& info) {
                             auto name = info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

using ByteOrderMark = PlainServer;

TEST_F(ByteOrderMark, BeatsAWrongMeta) {
    const auto run = run_corocrawl(
        {"crawl", url("/charset/utf-8?declare=bom"), "-x", sample_xpath, "-x", title_xpath});
    EXPECT_EQ(run.status, 0) << run.err;
    const std::string sample(test_server::charset_samples.back().text);
    ASSERT_EQ(test_server::charset_samples.back().charset, "utf-8");
    EXPECT_EQ(run.out, sample + "\n" + sample + "\n");
}

// ---- non-HTML ---------------------------------------------------------------------------------

using NonHtml = PlainServer;

TEST_F(NonHtml, JsonAndImagesAreRecordedWithoutBeingParsedAsHtml) {
    const auto run = run_corocrawl({"crawl", url("/json"), url("/image.png"), "-x", "//text()",
                                    "-x", "count(//*)", "-f", "jsonl", "--ordered"});
    EXPECT_EQ(run.status, 0) << run.err;
    const auto records = records_of(run);
    ASSERT_EQ(records.size(), 2u) << run.out;
    for (const auto& record : records) {
        EXPECT_TRUE(record.at("ok").as_bool()) << record;
        EXPECT_EQ(record.at("status").as_int64(), 200);
        for (const auto& [xpath, values] : record.at("results").as_object()) {
            EXPECT_TRUE(values.as_array().empty()) << xpath << " in " << record;
        }
    }
    EXPECT_EQ(records[1].at("bytes").as_int64(), 70);  // the whole PNG
}

}  // namespace
}  // namespace corocrawl
