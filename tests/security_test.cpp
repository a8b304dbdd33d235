// Security properties, each checked so that it would fail if broken: libxml2 neither reaches the
// network nor reads files for a hostile page; text output escapes terminal control characters
// from pages, URLs and redirects; header values with control characters are usage errors before
// any traffic; the test server listens on loopback unless told otherwise.
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <boost/asio.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "corocrawl/crawler.hpp"
#include "extract/libxml.hpp"
#include "serve_process.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::run_corocrawl;

test_server::ServerOptions quick_options() {
    return {.port = 0, .delay = 0ms};
}

// A scratch file holding a secret the crawler must never read.
struct MarkerFile {
    std::string path = testing::scratch_path("marker.txt");
    std::string secret = "corocrawl-secret-" + std::to_string(getpid());
    MarkerFile() { std::ofstream(path) << secret << "\n"; }
    ~MarkerFile() { std::remove(path.c_str()); }
};

// ---- libxml2 never reaches the network, never loads external entities
// -----------------------------

// The control for the test below: with the options a careless parser might use, libxml2 does read
// the file and does connect to the watched server. So the test's two checks can see a breach.
TEST(LibxmlSafety, TheChecksCanSeeACarelessParser) {
    test_server::Server watched(quick_options());
    const MarkerFile marker;
    const std::string document = "<!DOCTYPE r SYSTEM \"" + watched.base_url() +
                                 "/dtd\" [<!ENTITY file SYSTEM \"file://" + marker.path +
                                 "\">]><r>&file;</r>";
    libxml::initialise_once();
    libxml::Document careless(xmlReadMemory(
        document.data(), static_cast<int>(document.size()), nullptr, nullptr,
        XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    ASSERT_NE(careless, nullptr);
    const std::string text =
        libxml::to_string(libxml::String(xmlNodeGetContent(xmlDocGetRootElement(careless.get()))));
    EXPECT_NE(text.find(marker.secret), std::string::npos) << text;
    EXPECT_GT(watched.stats().connections.load(), 0u);
}

TEST(LibxmlSafety, HostilePageFetchesNothingAndReadsNoFileInEveryMode) {
    test_server::Server server(quick_options());
    test_server::Server watched(quick_options());  // where the page points: must see nobody
    const MarkerFile marker;
    const std::string page = server.base_url() + "/hostile/entities?fetch=" + watched.base_url() +
                             "/&file=" + marker.path;
    for (const char* mode : {"async", "pool", "sync"}) {
        const auto run = run_corocrawl({"crawl", page, "-m", mode, "-f", "jsonl", "--parse-threads",
                                        "1", "-x", "//title/text()", "-x", "string(/)", "-x",
                                        "//p[@id]", "-x", "//@*", "-x", "//comment()"});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        const auto record = boost::json::parse(run.out);
        const auto& results = record.at("results");
        // The page was parsed: its title is there, and the two paragraphs hold the entity
        // references as text, unexpanded.
        EXPECT_EQ(results.at("//title/text()").as_array(), boost::json::array{"entities"}) << mode;
        EXPECT_EQ(results.at("//p[@id]").as_array(), (boost::json::array{"[&net;]", "[&file;]"}))
            << mode << ": " << run.out;
        EXPECT_EQ(run.out.find(marker.secret), std::string::npos) << mode << ": " << run.out;
        EXPECT_EQ(run.err.find(marker.secret), std::string::npos) << mode << ": " << run.err;
    }
    EXPECT_EQ(server.stats().requests.load(), 3u);
    EXPECT_EQ(watched.stats().connections.load(), 0u)
        << "libxml2 reached the network for a DTD, entity, XInclude or resource";
}

// ---- text output escapes terminal control characters ------------------------------------------

// The raw control bytes in `text`: C0 other than the format's own \n and \t, DEL, and C1 (UTF-8).
std::string raw_controls(const std::string& text) {
    std::string found;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) {
            found += "\\x" + std::to_string(byte) + " at " + std::to_string(i) + "; ";
        } else if (byte == 0xC2 && next >= 0x80 && next <= 0x9F) {
            found += "C1 " + std::to_string(next) + " at " + std::to_string(i) + "; ";
        }
    }
    return found;
}

TEST(TerminalSafety, PageTextIsEscapedInTextOutput) {
    test_server::Server server(quick_options());
    const auto run = run_corocrawl({"crawl", server.base_url() + "/hostile/control", "--with-url",
                                    "-x", "//title/text()", "-x", "//p"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(raw_controls(run.out), "") << run.out;
    EXPECT_EQ(raw_controls(run.err), "") << run.err;
    // The values came through, escaped rather than lost: what libxml2 keeps of the page's controls
    // (CR, DEL and U+009B are XML characters; it drops ESC, BEL and backspace) is visible.
    EXPECT_NE(run.out.find("red"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\\r"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\\x7f"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\\u009b"), std::string::npos) << run.out;
}

TEST(TerminalSafety, UrlsAndMessagesAreEscapedOnStdoutAndStderr) {
    test_server::Server server(quick_options());
    const std::string list = testing::scratch_path("urls.txt");
    std::ofstream(list) << server.base_url() << "/page/1\x1b[2J\x07\n"
                        << "\x1b]0;title\x07http://x/\n"
                        << server.base_url() << "/page/2?\x7f\xc2\x9b"
                        << "31m\n";
    for (const char* format : {"text", "csv"}) {
        const auto run = run_corocrawl({"crawl", "-i", list, "-f", format});
        EXPECT_EQ(run.status, 1) << run.err;
        // CSV's stdout holds only a status per URL here; its URLs and messages go to stderr.
        if (std::string(format) == "text") {
            EXPECT_EQ(raw_controls(run.out), "") << run.out;
            EXPECT_NE(run.out.find("\\x7f\\u009b31m"), std::string::npos) << run.out;
        }
        EXPECT_EQ(raw_controls(run.err), "") << run.err;
        EXPECT_NE(run.err.find("\\x1b"), std::string::npos) << run.err;  // told, escaped
    }
    std::remove(list.c_str());
}

// ---- header values are validated before any traffic --------------------------------------------

TEST(HeaderValidation, ControlCharactersAreUsageErrorsBeforeAnyTraffic) {
    test_server::Server server(quick_options());
    const std::string url = server.base_url() + "/echo";
    const std::vector<std::vector<std::string>> bad{
        {"-H", "X-Evil: a\nInjected: b"}, {"-H", "X-Evil: a\rb"}, {"-H", "X-Evil: \x1b[31m"},
        {"-H", "X-Evil: a\x7f"},          {"-H", "X\nEvil: a"},   {"-A", "agent\r\nInjected: b"},
        {"--cookie", "a=1\nInjected: b"},
    };
    for (const auto& flags : bad) {
        std::vector<std::string> args{"crawl", url};
        args.insert(args.end(), flags.begin(), flags.end());
        const auto run = run_corocrawl(args);
        EXPECT_EQ(run.status, 2) << ::testing::PrintToString(flags) << ": " << run.err;
        EXPECT_EQ(run.out, "");
    }
    EXPECT_EQ(server.stats().connections.load(), 0u);

    // A tab is allowed in a value, and arrives as sent.
    const auto tab =
        run_corocrawl({"crawl", url, "-H", "X-Tab: a\tb", "-f", "jsonl", "-x", "string(/)"});
    EXPECT_EQ(tab.status, 0) << tab.err;
    EXPECT_EQ(server.stats().requests.load(), 1u);
}

TEST(HeaderValidation, NulAndControlCharactersAreRejectedByTheLibrary) {
    // NUL cannot come through argv; a library user can still put it in a std::string.
    const std::string nul("a\0b", 3);
    std::vector<CrawlOptions> bad(4);
    bad[0].fetch.headers.push_back({"X-Nul", nul});
    bad[1].fetch.user_agent = "agent" + nul;
    bad[2].fetch.cookie = nul;
    bad[3].fetch.headers.push_back({"X-Bell", "ding\x07"});
    test_server::Server server(quick_options());
    for (const auto& options : bad) {
        EXPECT_THROW(validate(options), std::invalid_argument);
        Crawler crawler(options);
        crawler.add(server.base_url() + "/echo");
        EXPECT_THROW(crawler.run(), std::invalid_argument);
    }
    EXPECT_EQ(server.stats().connections.load(), 0u);
    CrawlOptions fine;
    fine.fetch.headers.push_back({"X-Fine", "tab\tand UTF-8 \u00E9"});
    EXPECT_NO_THROW(validate(fine));
}

// ---- a redirect to another origin goes to that origin
// ---------------------------------------------

// Found by the tests above: a keep-alive connection was handed back to the pool under the key of
// the redirect's target, so the next request for the target went to the first server instead.
TEST(RedirectSafety, ACrossOriginRedirectIsFetchedFromTheNewOriginInEveryMode) {
    test_server::Server first(quick_options());
    test_server::Server second(quick_options());
    std::size_t expected_at_second = 0;
    for (const char* mode : {"async", "pool", "sync"}) {
        const auto run = run_corocrawl(
            {"crawl", "-m", mode, "-f", "jsonl", "-x", "//pre[@id='echo']",
             first.base_url() + "/redirect-to?url=" + second.base_url() + "/echo?as=html"});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        const auto record = boost::json::parse(run.out);
        EXPECT_EQ(record.at("final_url").as_string(), second.base_url() + "/echo?as=html") << mode;
        // The echo names the Host it was sent; it must be the second server's.
        const auto echoed = boost::json::parse(
            record.at("results").at("//pre[@id='echo']").as_array().at(0).as_string().c_str());
        EXPECT_EQ(echoed.at("headers").at("host").as_string(),
                  second.base_url().substr(std::string("http://").size()))
            << mode;
        EXPECT_EQ(second.stats().requests.load(), ++expected_at_second) << mode;
    }
    EXPECT_EQ(first.stats().requests.load(), 3u);
}

// ---- the test server: loopback by default ------------------------------------------------------

// This machine's IPv4 addresses other than loopback.
std::vector<std::string> other_addresses() {
    std::vector<std::string> addresses;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return addresses;
    for (auto* entry = list; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET) continue;
        const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
        const auto address = boost::asio::ip::address_v4(ntohl(ipv4->sin_addr.s_addr));
        if (!address.is_loopback()) addresses.push_back(address.to_string());
    }
    freeifaddrs(list);
    return addresses;
}

TEST(ServerBinding, LoopbackByDefault) {
    EXPECT_EQ(test_server::ServerOptions{}.bind, "127.0.0.1");
    const auto help = run_corocrawl({"serve", "--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("127.0.0.1"), std::string::npos) << help.out;

    testing::ServeProcess serve;  // no --bind
    EXPECT_TRUE(serve.url().starts_with("http://127.0.0.1:")) << serve.url();
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket loopback(io);
    boost::system::error_code error;
    loopback.connect({boost::asio::ip::make_address("127.0.0.1"), serve.port()}, error);
    EXPECT_FALSE(error) << error.message();
    // From this machine's other addresses, nothing listens on that port.
    const auto others = other_addresses();
    for (const auto& address : others) {
        boost::asio::ip::tcp::socket outside(io);
        outside.connect({boost::asio::ip::make_address(address), serve.port()}, error);
        EXPECT_EQ(error, boost::asio::error::connection_refused) << address;
    }
    if (others.empty()) std::cout << "no address other than loopback to try from\n";
    EXPECT_EQ(serve.stop(), 0);
}

}  // namespace
}  // namespace corocrawl
