// --shard I/N in the library: the hash (FNV-1a 64, pinned to known values so it stays the same
// on every machine and in every build), what it hashes (the host name, or a bad line's text), and
// UrlSource handing on only its shard's lines — from arguments, a file and a stream that cannot
// seek, on resume (skip) and after an interruption (rest_after_cancel) too.
#include "corocrawl/shard.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <streambuf>

#include "corocrawl/url_source.hpp"

namespace corocrawl {
namespace {

TEST(Shard, Fnv1a64GivesThePublishedValues) {
    // The FNV test vectors (http://www.isthe.com/chongo/tech/comp/fnv/): a build that hashed
    // otherwise (std::hash, another seed) would split the same list otherwise.
    EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
    EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
    EXPECT_EQ(fnv1a_64("example.com"), 0x576846634e2714c6ULL);
}

TEST(Shard, TheKeyIsTheLowerCasedHostElseTheLineItself) {
    EXPECT_EQ(shard_key("HTTP://Example.COM:8080/a?b=c"), "example.com");
    EXPECT_EQ(shard_key("https://example.com/"), "example.com");
    EXPECT_EQ(shard_key("http://user@example.com/"), "example.com");
    EXPECT_EQ(shard_key("http://[::1]:8443/x"), "::1");
    EXPECT_EQ(shard_key("http://127.0.0.2:5000/page/1"), "127.0.0.2");
    EXPECT_EQ(shard_key("not a url"), "not a url");
    EXPECT_EQ(shard_key("ftp://example.com/file"), "ftp://example.com/file");  // not http(s)
    EXPECT_EQ(shard_key(""), "");
}

TEST(Shard, ALineGoesToTheShardItsKeyHashesToAndToNoOther) {
    const std::vector<std::string> lines{"http://example.com/",
                                         "https://EXAMPLE.com:444/other?q",
                                         "http://a.test/page/1",
                                         "http://127.0.0.1:5000/",
                                         "not a url",
                                         "ftp://x/"};
    for (std::uint32_t count = 1; count <= 7; ++count) {
        for (const auto& line : lines) {
            std::uint32_t takers = 0;
            for (std::uint32_t index = 0; index < count; ++index) {
                const bool takes = Shard{index, count}.takes(line);
                EXPECT_EQ(takes, fnv1a_64(shard_key(line)) % count == index) << line;
                takers += takes;
            }
            EXPECT_EQ(takers, 1u) << line << " in " << count << " shards";
        }
    }
    // Pinned: which of 3 shards these hosts are in (the integration tests rely on it).
    EXPECT_TRUE((Shard{2, 3}.takes("http://127.0.0.1:1/")));
    EXPECT_TRUE((Shard{1, 3}.takes("http://127.0.0.2:1/")));
    EXPECT_TRUE((Shard{0, 3}.takes("http://127.0.0.3:1/")));
    // Every URL of a host in one shard, whatever the scheme, port, case, path.
    for (std::uint32_t index = 0; index < 3; ++index) {
        const Shard shard{index, 3};
        EXPECT_EQ(shard.takes("http://example.com/"), shard.takes("https://Example.Com:8443/a/b"));
    }
}

TEST(Shard, ParsesIOverNAndRejectsWhatIsNot) {
    const Shard shard = parse_shard("2/3");
    EXPECT_EQ(shard.index, 2u);
    EXPECT_EQ(shard.count, 3u);
    EXPECT_EQ(shard.text(), "2/3");
    EXPECT_FALSE(shard.whole());
    EXPECT_TRUE(parse_shard("0/1").whole());
    EXPECT_EQ(parse_shard("15/16").text(), "15/16");
    for (const char* bad : {"3/3", "4/3", "x", "1/0", "0/0", "", "/", "1/", "/3", "-1/3", "1/-3",
                            "+1/3", " 1/3", "1/3 ", "1/3/5", "1.0/3", "0x1/3", "1/99999999999"}) {
        EXPECT_THROW(parse_shard(bad), std::invalid_argument) << "'" << bad << "'";
    }
    try {
        parse_shard("3/3");
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("below N"), std::string::npos) << e.what();
    }
}

// ---- UrlSource with a shard --------------------------------------------------------------------

std::vector<InputLine> all_of(UrlSource& source) {
    std::vector<InputLine> lines;
    while (auto line = source.next()) lines.push_back(std::move(*line));
    return lines;
}

std::vector<std::string> texts(const std::vector<InputLine>& lines) {
    std::vector<std::string> texts;
    for (const auto& line : lines) texts.push_back(line.text);
    return texts;
}

// A list over hosts of every shard of 3: .1 is shard 2's, .2 shard 1's, .3 shard 0's.
const std::vector<std::string> list{
    "http://127.0.0.1:1/a", "http://127.0.0.2:1/a", "http://127.0.0.3:1/a", "not a url",
    "http://127.0.0.2:1/b", "http://127.0.0.1:1/b", "http://127.0.0.3:1/b", "http://127.0.0.1:1/c",
};

std::vector<std::string> of_shard(const Shard& shard) {
    std::vector<std::string> taken;
    for (const auto& line : list)
        if (shard.takes(line)) taken.push_back(line);
    return taken;
}

std::string as_file(const std::vector<std::string>& lines) {
    std::string text = "# a comment\n\n";
    for (const auto& line : lines) text += "  " + line + "\n";
    return text;
}

TEST(ShardedUrlSource, HandsOnOnlyItsShardsArgumentsAndLinesNumberedFromZero) {
    for (std::uint32_t index = 0; index < 3; ++index) {
        const Shard shard{index, 3};
        std::istringstream file(as_file(list));
        UrlSource source(list, &file, false, shard);
        const auto lines = all_of(source);
        auto expected = of_shard(shard);
        const auto from_file = expected;
        expected.insert(expected.end(), from_file.begin(), from_file.end());
        EXPECT_EQ(texts(lines), expected) << shard.text();
        for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].index, i);
        EXPECT_FALSE(expected.empty());
    }
    // The three shards together: every line once.
    std::size_t taken = 0;
    for (std::uint32_t index = 0; index < 3; ++index) taken += of_shard({index, 3}).size();
    EXPECT_EQ(taken, list.size());
}

TEST(ShardedUrlSource, ResumesAfterTheLinesOfItsShardAnEarlierRunTook) {
    const Shard shard{2, 3};  // 127.0.0.1's: lines 0, 5 and 7 of the list
    const auto expected = of_shard(shard);
    ASSERT_EQ(expected.size(), 3u);
    const std::string text = as_file(list);
    for (std::size_t taken = 0; taken <= 2 * expected.size(); ++taken) {
        SCOPED_TRACE("taken " + std::to_string(taken));
        // The first run: arguments, then the file.
        std::istringstream first_file(text);
        UrlSource first(list, &first_file, false, shard);
        std::uint64_t offset = 0;
        for (std::size_t k = 0; k < taken; ++k) offset = first.next()->end_offset;
        const auto rest = all_of(first);

        std::istringstream file(text);
        UrlSource resumed(list, &file, false, shard);
        resumed.skip(taken, offset);
        const auto lines = all_of(resumed);
        EXPECT_EQ(texts(lines), texts(rest));
        ASSERT_EQ(lines.size(), rest.size());
        for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].index, rest[i].index);
    }
}

// A stream that cannot seek, as stdin cannot: skip() reads past the lines instead.
struct Unseekable : std::stringbuf {
    using std::stringbuf::stringbuf;
    pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override {
        return pos_type(off_type(-1));
    }
    pos_type seekpos(pos_type, std::ios_base::openmode) override { return pos_type(off_type(-1)); }
};

TEST(ShardedUrlSource, AStreamThatCannotSeekIsReadPastItsShardsLines) {
    const Shard shard{1, 3};  // 127.0.0.2's: lines 1 and 4
    Unseekable buffer(as_file(list));
    std::istream stream(&buffer);
    UrlSource source({}, &stream, false, shard);
    source.skip(1, 12345);  // an offset it cannot seek to
    const auto lines = all_of(source);
    ASSERT_EQ(texts(lines), std::vector<std::string>{"http://127.0.0.2:1/b"});
    EXPECT_EQ(lines[0].index, 1u);
}

TEST(ShardedUrlSource, AfterAnInterruptionOnlyItsShardsLinesAreLeft) {
    const Shard shard{0, 3};  // 127.0.0.3's and "not a url"
    std::istringstream file(as_file(list));
    UrlSource source(list, &file, false, shard);
    ASSERT_EQ(source.next()->text, "http://127.0.0.3:1/a");
    source.interrupt();
    const auto rest = source.rest_after_cancel();
    EXPECT_EQ(texts(rest),
              (std::vector<std::string>{"not a url", "http://127.0.0.3:1/b", "http://127.0.0.3:1/a",
                                        "not a url", "http://127.0.0.3:1/b"}));
    for (std::size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i].index, i + 1);
}

TEST(ShardedUrlSource, TheWholeListIsShardZeroOfOne) {
    std::istringstream file(as_file(list));
    UrlSource source(list, &file);
    EXPECT_EQ(all_of(source).size(), 2 * list.size());
}

}  // namespace
}  // namespace corocrawl
