// Proxies: --proxy, the environment, no_proxy, and typed failures; the real server behind a real
// (small, in-process) forward proxy.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "forward_proxy.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::run_corocrawl;

struct Proxy : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 0ms}};
    testing::ForwardProxy proxy;
    std::string url(const std::string& path) const { return server.base_url() + path; }

    boost::json::object record(const testing::Run& run) {
        EXPECT_EQ(testing::lines(run.out).size(), 1u) << run.out << run.err;
        return boost::json::parse(run.out).as_object();
    }
};

TEST_F(Proxy, HttpRequestsGoThroughTheProxyInAbsoluteForm) {
    for (const char* mode : {"async", "pool", "sync"}) {
        const auto before = proxy.forwarded.load();
        const auto run =
            run_corocrawl({"crawl", url("/page/1"), url("/page/2"), "--proxy", proxy.url(), "-x",
                           "//title/text()", "--ordered", "-m", mode});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        EXPECT_EQ(run.out, "page 1\npage 2\n") << mode;
        EXPECT_EQ(proxy.forwarded.load() - before, 2u) << mode;
    }
}

TEST_F(Proxy, EnvironmentIsReadAsCurlReadsIt) {
    setenv("http_proxy", proxy.url().c_str(), 1);
    const auto via_environment = run_corocrawl({"crawl", url("/page/1"), "-q"});
    setenv("no_proxy", "localhost, .example.com,127.0.0.1", 1);
    const auto bypassed = run_corocrawl({"crawl", url("/page/2"), "-q"});
    unsetenv("http_proxy");
    unsetenv("no_proxy");
    EXPECT_EQ(via_environment.status, 0) << via_environment.err;
    EXPECT_EQ(bypassed.status, 0) << bypassed.err;
    EXPECT_EQ(proxy.forwarded.load(), 1u);  // the second went straight to the server
}

TEST_F(Proxy, UnreachableProxyIsAProxyError) {
    const std::string dead = "http://127.0.0.1:" + std::to_string(testing::closed_port());
    const auto run =
        run_corocrawl({"crawl", url("/page/1"), "--proxy", dead, "--retries", "0", "-f", "jsonl"});
    EXPECT_EQ(run.status, 1);
    const auto json = record(run);
    EXPECT_EQ(json.at("error").at("kind").as_string(), "proxy");
    EXPECT_NE(std::string(json.at("error").at("message").as_string()).find(dead),
              std::string::npos);
}

TEST_F(Proxy, RefusedTunnelIsAProxyError) {
    testing::ForwardProxy refusing(true);
    const auto run =
        run_corocrawl({"crawl", "https://127.0.0.1:" + std::to_string(server.port()) + "/page/1",
                       "--proxy", refusing.url(), "--retries", "0", "-f", "jsonl"});
    EXPECT_EQ(run.status, 1);
    const auto json = record(run);
    EXPECT_EQ(json.at("error").at("kind").as_string(), "proxy");
    EXPECT_NE(std::string(json.at("error").at("message").as_string()).find("403"),
              std::string::npos);
    EXPECT_EQ(refusing.tunnels.load(), 1u);
}

TEST_F(Proxy, TunnelCarriesTheTlsHandshake) {
    // The server speaks plain HTTP, so the handshake inside the tunnel fails: that it is a tls
    // error (not a proxy one) shows the tunnel was open and the TLS went through it.
    const auto run =
        run_corocrawl({"crawl", "https://127.0.0.1:" + std::to_string(server.port()) + "/page/1",
                       "--proxy", proxy.url(), "--retries", "0", "-f", "jsonl"});
    EXPECT_EQ(record(run).at("error").at("kind").as_string(), "tls");
    EXPECT_EQ(proxy.tunnels.load(), 1u);
}

TEST_F(Proxy, AnHttpsProxyUrlIsAUsageError) {
    const auto run = run_corocrawl({"crawl", url("/page/1"), "--proxy", "https://127.0.0.1:1"});
    EXPECT_EQ(run.status, 2);
    EXPECT_EQ(server.stats().requests.load(), 0u);
}

}  // namespace
}  // namespace corocrawl
