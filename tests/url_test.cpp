#include "corocrawl/url.hpp"

#include <gtest/gtest.h>

namespace corocrawl {
namespace {

Url parsed(std::string_view text) {
    auto result = parse_url(text);
    if (auto* error = std::get_if<Error>(&result)) ADD_FAILURE() << error->message;
    return std::get<Url>(result);
}

ErrorKind failure(std::string_view text) {
    auto result = parse_url(text);
    EXPECT_TRUE(std::holds_alternative<Error>(result)) << text;
    return std::get<Error>(result).kind;
}

TEST(Url, NormalisesSchemeHostPortPathAndFragment) {
    const Url url = parsed("HTTP://Example.COM:80/a/./b/../c?q=1#frag");
    EXPECT_EQ(url.text, "http://example.com/a/c?q=1");
    EXPECT_EQ(url.host, "example.com");
    EXPECT_EQ(url.port, "80");
    EXPECT_EQ(url.target, "/a/c?q=1");
    EXPECT_EQ(url.origin(), "http://example.com:80");
}

TEST(Url, EmptyPathBecomesSlashAndHttpsDefaultsTo443) {
    const Url url = parsed("https://example.com");
    EXPECT_EQ(url.text, "https://example.com/");
    EXPECT_EQ(url.port, "443");
    EXPECT_TRUE(url.is_https());
}

TEST(Url, KeepsANonDefaultPortAndIpv6Literals) {
    EXPECT_EQ(parsed("http://127.0.0.1:5000/bobo").origin(), "http://127.0.0.1:5000");
    const Url v6 = parsed("http://[::1]:8080/x");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.origin(), "http://[::1]:8080");
}

TEST(Url, SpacesAndUtf8AreEncodedLikeBrowsersDo) {
    EXPECT_EQ(parsed("http://example.com/a b/\xc3\xa9").text, "http://example.com/a%20b/%C3%A9");
}

TEST(Url, RejectsWhatIsNotAnHttpUrl) {
    EXPECT_EQ(failure(""), ErrorKind::invalid_url);
    EXPECT_EQ(failure("example.com/no-scheme"), ErrorKind::invalid_url);
    EXPECT_EQ(failure("http://"), ErrorKind::invalid_url);
    EXPECT_EQ(failure("http://host:99999/"), ErrorKind::invalid_url);
    EXPECT_EQ(failure("ftp://example.com/file"), ErrorKind::unsupported_scheme);
    EXPECT_EQ(failure("file:///etc/passwd"), ErrorKind::unsupported_scheme);
    EXPECT_EQ(failure("mailto:someone@example.com"), ErrorKind::unsupported_scheme);
}

// Found by the url fuzzer: Boost.URL 1.81 ends a port at its first non-digit and reads the rest
// as a path, so "http://a:b/c" came out as host "a", target "b/c", text "http://ab/c".
TEST(Url, RejectsJunkAfterTheHostOrPort) {
    EXPECT_EQ(failure("http://127.0.0.1:50'0/bobo"), ErrorKind::invalid_url);
    EXPECT_EQ(failure("http://a:b/c"), ErrorKind::invalid_url);
    EXPECT_EQ(failure("http://[::1]x/y"), ErrorKind::invalid_url);
    const Url base = parsed("http://h.example/");
    EXPECT_EQ(std::get<Error>(resolve_url(base, "//a:b/c")).kind, ErrorKind::invalid_url);
}

// Found by the url and response fuzzers: "/..//x" became "/.//x", which normalises again to "//x".
TEST(Url, NormalisingTwiceChangesNothing) {
    EXPECT_EQ(parsed("http://h.example/..//dir/p").text, "http://h.example//dir/p");
    EXPECT_EQ(parsed("http://h.example//dir/p").text, "http://h.example//dir/p");
    const Url base = parsed("http://h.example/a/b");
    EXPECT_EQ(std::get<Url>(resolve_url(base, "../..///x.y")).text, "http://h.example///x.y");
}

TEST(Url, ResolvesReferencesOfEveryShape) {
    const Url base = parsed("http://h.example/dir/page?x=1");
    const auto resolve = [&](std::string_view reference) {
        auto result = resolve_url(base, reference);
        return std::holds_alternative<Url>(result) ? std::get<Url>(result).text
                                                   : "error: " + std::get<Error>(result).message;
    };
    EXPECT_EQ(resolve("/abs"), "http://h.example/abs");
    EXPECT_EQ(resolve("rel"), "http://h.example/dir/rel");
    EXPECT_EQ(resolve("../up"), "http://h.example/up");
    EXPECT_EQ(resolve("../../../above-root"), "http://h.example/above-root");
    EXPECT_EQ(resolve("?q=2"), "http://h.example/dir/page?q=2");
    EXPECT_EQ(resolve("//other.example/y"), "http://other.example/y");
    EXPECT_EQ(resolve("https://abs.example/z"), "https://abs.example/z");
    EXPECT_EQ(std::get<Error>(resolve_url(base, "ftp://x/")).kind, ErrorKind::unsupported_scheme);
}

TEST(Url, ResolveReferenceLeavesNonUrlsAlone) {
    EXPECT_EQ(resolve_reference("http://h.example/a/b", "c"), "http://h.example/a/c");
    EXPECT_EQ(resolve_reference("not a base", "c"), "c");
}

TEST(Url, ResolvesTheExamplesOfRfc3986) {
    const Url base = std::get<Url>(parse_url("http://a/b/c/d;p?q"));
    const auto resolve = [&](std::string_view reference) {
        return std::get<Url>(resolve_url(base, reference)).text;
    };
    const std::pair<std::string_view, std::string_view> examples[] = {
        // 5.4.1 and 5.4.2
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {"g?y#s", "http://a/b/c/g?y"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g"},
    };
    for (const auto& [reference, expected] : examples)
        EXPECT_EQ(resolve(reference), expected) << reference;
    // Reserved characters stay encoded through a merge too.
    EXPECT_EQ(resolve("x%2Fy?a=1%26b"), "http://a/b/c/x%2Fy?a=1%26b");
}

TEST(Url, ReservedCharactersStayEncoded) {
    // Only unreserved characters are decoded (RFC 3986, 6.2.2.2): "%2F" in a path and "%26" in
    // a query mean something else than '/' and '&'.
    const auto text = [](std::string_view url) { return std::get<Url>(parse_url(url)).text; };
    EXPECT_EQ(text("http://h/a%2fb%7E%41/c?q=a%26b%3d&r=%7e"), "http://h/a%2Fb~A/c?q=a%26b%3D&r=~");
    EXPECT_EQ(text("http://h/%2E%2E/a/%2e/b/../c"), "http://h/a/c");
    EXPECT_EQ(text("http://h/a/b/../../../x"), "http://h/x");
    EXPECT_EQ(text("http://h//a/./b"), "http://h//a/b");
    EXPECT_EQ(text("http://h/a/.."), "http://h/");
}

TEST(Url, CanonicalFormSortsTheQueryUnlessItsOrderIsKept) {
    const auto canonical = [](std::string_view text, bool keep_order = false) {
        return canonical_url(std::get<Url>(parse_url(text)), keep_order);
    };
    EXPECT_EQ(canonical("HTTP://Example.COM:80/a/./b/../c?n=2&fan=1&a#frag"),
              "http://example.com/a/c?a&fan=1&n=2");
    EXPECT_EQ(canonical("http://h/?b=2&a=9&b=1"), "http://h/?a=9&b=1&b=2");
    // An encoded '&' is part of its value, not a separator.
    EXPECT_EQ(canonical("http://h/?z=1%26y=2&a=1"), "http://h/?a=1&z=1%26y=2");
    EXPECT_EQ(canonical("http://h/p?b=1&a=2", true), "http://h/p?b=1&a=2");
    EXPECT_EQ(canonical("http://h/p"), "http://h/p");
    EXPECT_EQ(canonical("http://h/%7euser?"), canonical("http://h/~user?"));
}

}  // namespace
}  // namespace corocrawl
