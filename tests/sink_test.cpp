// Output sinks: exact text, JSON Lines and CSV; escaping; --ordered; whole records under threads.
#include "corocrawl/sink.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "sink/formats.hpp"

namespace corocrawl {
namespace {

Result ok_record(std::size_t index = 0) {
    Result result;
    result.index = index;
    result.url = "http://x/";
    result.final_url = "http://x/final";
    result.status = 200;
    result.bytes = 512;
    result.attempts = 1;
    result.elapsed = std::chrono::milliseconds(42);
    result.extractions = {{"//title", {"Home"}}, {"//a/@href", {"/a", "/b"}}};
    return result;
}

Result failed_record() {
    Result result;
    result.url = "http://down/";
    result.attempts = 3;
    result.elapsed = std::chrono::milliseconds(7);
    result.error = Error{ErrorKind::timeout, "no response within 10s"};
    return result;
}

Result not_found_record() {
    Result result;
    result.url = "http://x/missing";
    result.final_url = "http://x/missing";
    result.status = 404;
    result.attempts = 1;
    result.error = Error{ErrorKind::http_status, "404 Not Found"};
    return result;
}

Result tricky_record() {
    Result result = ok_record();
    result.extractions = {{"//p", {"a,b \"quoted\"\nsecond\tline\r\x1b[31mred\x7f caf\u00E9"}}};
    return result;
}

struct Written {
    std::string out;
    std::string errors;
};

Written write_all(SinkOptions options, const std::vector<Result>& results) {
    std::ostringstream out;
    std::ostringstream errors;
    {
        Sink sink(out, errors, options);
        for (const Result& result : results) sink.write(result);
        sink.finish();
    }
    return {out.str(), errors.str()};
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    return lines;
}

// text --------------------------------------------------------------------------------------

TEST(TextSink, ValuesOnePerLine) {
    const Written written = write_all({Format::text}, {ok_record()});
    EXPECT_EQ(written.out, "Home\n/a\n/b\n");
    EXPECT_EQ(written.errors, "");
}

TEST(TextSink, ValuesWithUrl) {
    SinkOptions options{Format::text};
    options.with_url = true;
    EXPECT_EQ(write_all(options, {ok_record()}).out,
              "http://x/\tHome\nhttp://x/\t/a\nhttp://x/\t/b\n");
}

TEST(TextSink, FailedRecordGoesToErrors) {
    const Written written = write_all({Format::text}, {failed_record()});
    EXPECT_EQ(written.out, "");
    EXPECT_EQ(written.errors, "corocrawl: timeout: http://down/: no response within 10s\n");
}

TEST(TextSink, StatusLinesWithoutExpressions) {
    SinkOptions options{Format::text};
    options.extracting = false;
    const Written written = write_all(options, {ok_record(), failed_record(), not_found_record()});
    EXPECT_EQ(written.out, "200\thttp://x/\ntimeout\thttp://down/\n404\thttp://x/missing\n");
    EXPECT_EQ(written.errors,
              "corocrawl: timeout: http://down/: no response within 10s\n"
              "corocrawl: http_status: http://x/missing: 404 Not Found\n");
}

TEST(TextSink, ControlCharactersAreEscaped) {
    EXPECT_EQ(write_all({Format::text}, {tricky_record()}).out,
              "a,b \"quoted\"\\nsecond\\tline\\r\\x1b[31mred\\x7f caf\u00E9\n");
    Result failed = failed_record();
    failed.error->message = "bad\nthing\x07";
    EXPECT_EQ(write_all({Format::text}, {failed}).errors,
              "corocrawl: timeout: http://down/: bad\\nthing\\x07\n");
}

TEST(TextEscaping, EveryControlByte) {
    EXPECT_EQ(formats::escape_control_characters(std::string("\0\x01\x1f \x7f~", 6)),
              "\\x00\\x01\\x1f \\x7f~");
    EXPECT_EQ(formats::escape_control_characters("\u4F60\u597D\u20AC"), "\u4F60\u597D\u20AC");
}

TEST(TextEscaping, C1ControlsInUtf8) {
    // U+009B (CSI) and U+0085 (NEL) are escaped; U+00A0 and U+00E9, their neighbours, are text.
    EXPECT_EQ(formats::escape_control_characters("a\xC2\x9B"
                                                 "2Jb\xC2\x85"
                                                 "c\u00A0\u00E9"),
              "a\\u009b2Jb\\u0085c\u00A0\u00E9");
    // A lone C2 at the end, or before a byte that is not a C1 continuation, passes as it is.
    EXPECT_EQ(formats::escape_control_characters("x\xC2"), "x\xC2");
}

// jsonl -------------------------------------------------------------------------------------

TEST(JsonlSink, OkRecordExactly) {
    EXPECT_EQ(write_all({Format::jsonl}, {ok_record()}).out,
              R"({"url":"http://x/","final_url":"http://x/final","status":200,"ok":true,)"
              R"("elapsed_ms":42,"bytes":512,"attempts":1,"depth":0,"referrer":null,)"
              R"("results":{"//title":["Home"],"//a/@href":["/a","/b"]},"error":null})"
              "\n");
}

TEST(JsonlSink, FailedRecordExactly) {
    const Written written = write_all({Format::jsonl}, {failed_record()});
    EXPECT_EQ(written.out,
              R"({"url":"http://down/","final_url":"","status":0,"ok":false,)"
              R"("elapsed_ms":7,"bytes":0,"attempts":3,"depth":0,"referrer":null,"results":{},)"
              R"("error":{"kind":"timeout","message":"no response within 10s"}})"
              "\n");
    EXPECT_EQ(written.errors, "");  // the error is in the record
}

TEST(JsonlSink, NoExpressionsGiveEmptyResults) {
    Result result = ok_record();
    result.extractions.clear();
    SinkOptions options{Format::jsonl};
    options.extracting = false;
    const boost::json::value parsed = boost::json::parse(write_all(options, {result}).out);
    EXPECT_TRUE(parsed.at("results").as_object().empty());
    EXPECT_EQ(parsed.at("status").to_number<int>(), 200);
}

TEST(JsonlSink, SpecialCharactersRoundTrip) {
    const std::string line = write_all({Format::jsonl}, {tricky_record()}).out;
    ASSERT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << "one record, one line";
    const boost::json::value parsed = boost::json::parse(line);
    EXPECT_EQ(parsed.at("results").at("//p").at(0).as_string(),
              "a,b \"quoted\"\nsecond\tline\r\x1b[31mred\x7f caf\u00E9");
}

TEST(JsonlSink, InvalidUtf8StaysParseable) {
    Result result = ok_record();
    result.url = "http://x/\xFF";
    result.extractions = {{"//p", {"ok\xC3(\xED\xA0\x80\xF0\x9F\x98\x80z\xE2\x82"}}};
    const std::string line = write_all({Format::jsonl}, {result}).out;
    boost::json::error_code error;
    const boost::json::value parsed = boost::json::parse(line, error);
    ASSERT_FALSE(error) << error.message() << ": " << line;
    EXPECT_EQ(parsed.at("url").as_string(), "http://x/\uFFFD");
    // Ill-formed pieces become U+FFFD each (a surrogate's three bytes count as three);
    // the valid emoji survives.
    EXPECT_EQ(parsed.at("results").at("//p").at(0).as_string(),
              "ok\uFFFD(\uFFFD\uFFFD\uFFFD\U0001F600z\uFFFD");
}

TEST(Utf8Repair, ValidTextIsUnchanged) {
    const std::string text = "ascii \u00E9 \u4F60 \U0001F600 \u20AC";
    EXPECT_EQ(formats::valid_utf8(text), text);
    EXPECT_EQ(formats::valid_utf8("\xC0\xAF"), "\uFFFD\uFFFD");                      // overlong '/'
    EXPECT_EQ(formats::valid_utf8("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // > U+10FFFF
}

// csv ---------------------------------------------------------------------------------------

TEST(CsvSink, HeaderThenOneRowPerValue) {
    EXPECT_EQ(write_all({Format::csv}, {ok_record()}).out,
              "url,field,value,depth,referrer\r\n"
              "http://x/,//title,Home,0,\r\n"
              "http://x/,//a/@href,/a,0,\r\n"
              "http://x/,//a/@href,/b,0,\r\n");
}

TEST(CsvSink, FailedRecordWritesNoRowButAnErrorLine) {
    const Written written = write_all({Format::csv}, {failed_record()});
    EXPECT_EQ(written.out, "url,field,value,depth,referrer\r\n");
    EXPECT_EQ(written.errors, "corocrawl: timeout: http://down/: no response within 10s\n");
}

TEST(CsvSink, QuotingPerRfc4180) {
    EXPECT_EQ(
        write_all({Format::csv}, {tricky_record()}).out,
        "url,field,value,depth,referrer\r\n"
        "http://x/,//p,\"a,b \"\"quoted\"\"\nsecond\tline\r\x1b[31mred\x7f caf\u00E9\",0,\r\n");
    EXPECT_EQ(formats::csv_field("plain"), "plain");
    EXPECT_EQ(formats::csv_field("a\rb"), "\"a\rb\"");
    EXPECT_EQ(formats::csv_field("\""), "\"\"\"\"");
}

TEST(CsvSink, StatusRowsWithoutExpressions) {
    SinkOptions options{Format::csv};
    options.extracting = false;
    const Written written = write_all(options, {ok_record(), failed_record()});
    EXPECT_EQ(written.out,
              "url,field,value,depth,referrer\r\n"
              "http://x/,,200,0,\r\n"
              "http://down/,,timeout,0,\r\n");
    EXPECT_EQ(written.errors, "corocrawl: timeout: http://down/: no response within 10s\n");
}

TEST(CsvSink, DepthAndReferrerOfAFollowedLink) {
    Result record = ok_record();
    record.extractions.clear();
    record.depth = 2;
    record.referrer = "http://x/a,b";
    SinkOptions options{Format::csv};
    options.extracting = false;
    EXPECT_EQ(write_all(options, {record}).out,
              "url,field,value,depth,referrer\r\nhttp://x/,,200,2,\"http://x/a,b\"\r\n");
}

TEST(CsvSink, HeaderOnlyOnceAndEvenWithoutRecords) {
    const std::string out = write_all({Format::csv}, {ok_record(), ok_record()}).out;
    EXPECT_EQ(out.find("url,field,value"), 0u);
    EXPECT_EQ(out.find("url,field,value", 1), std::string::npos);
    EXPECT_EQ(write_all({Format::csv}, {}).out, "url,field,value,depth,referrer\r\n");
}

// ordered -----------------------------------------------------------------------------------

Result status_record(std::size_t index) {
    Result result;
    result.index = index;
    result.url = "http://x/" + std::to_string(index);
    result.status = 200;
    return result;
}

SinkOptions ordered_status_lines() {
    SinkOptions options{Format::text};
    options.extracting = false;
    options.ordered = true;
    return options;
}

TEST(OrderedSink, RecordsArriving201AreWritten012) {
    std::ostringstream out;
    std::ostringstream errors;
    Sink sink(out, errors, ordered_status_lines());
    sink.write(status_record(2));
    EXPECT_EQ(out.str(), "") << "2 waits for 0 and 1";
    sink.write(status_record(0));
    EXPECT_EQ(out.str(), "200\thttp://x/0\n");
    sink.write(status_record(1));
    EXPECT_EQ(out.str(), "200\thttp://x/0\n200\thttp://x/1\n200\thttp://x/2\n");
}

TEST(OrderedSink, FinishWritesHeldRecordsAfterAGap) {
    std::ostringstream out;
    std::ostringstream errors;
    Sink sink(out, errors, ordered_status_lines());
    sink.write(status_record(0));
    sink.write(status_record(4));
    sink.write(status_record(2));
    sink.write(status_record(3));
    EXPECT_EQ(out.str(), "200\thttp://x/0\n") << "1 never came";
    sink.finish();
    EXPECT_EQ(out.str(), "200\thttp://x/0\n200\thttp://x/2\n200\thttp://x/3\n200\thttp://x/4\n");
}

TEST(OrderedSink, DestructorFlushesWhatIsHeld) {
    std::ostringstream out;
    std::ostringstream errors;
    {
        Sink sink(out, errors, ordered_status_lines());
        sink.write(status_record(1));
    }
    EXPECT_EQ(out.str(), "200\thttp://x/1\n");
}

TEST(OrderedSink, UnorderedWritesInArrivalOrder) {
    SinkOptions options = ordered_status_lines();
    options.ordered = false;
    EXPECT_EQ(write_all(options, {status_record(2), status_record(0)}).out,
              "200\thttp://x/2\n200\thttp://x/0\n");
}

// threads -----------------------------------------------------------------------------------

// Writes records 0..threads*per_thread-1 from `threads` threads, each its own share.
std::string write_concurrently(SinkOptions options, int threads, int per_thread,
                               bool shuffle_indices) {
    std::vector<std::size_t> indices(static_cast<std::size_t>(threads * per_thread));
    std::iota(indices.begin(), indices.end(), 0);
    if (shuffle_indices) std::shuffle(indices.begin(), indices.end(), std::mt19937(12345));
    std::ostringstream out;
    std::ostringstream errors;
    Sink sink(out, errors, options);
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                Result result = ok_record(indices[static_cast<std::size_t>(t * per_thread + i)]);
                result.url = "http://x/" + std::to_string(result.index);
                result.extractions = {
                    {"//p", {std::string(100 + result.index % 300, 'v'), "line\nbreak"}}};
                sink.write(result);
            }
        });
    }
    for (std::thread& writer : writers) writer.join();
    sink.finish();
    return out.str();
}

TEST(ConcurrentSink, EightThreadsWriteWholeJsonLines) {
    const std::string out = write_concurrently({Format::jsonl}, 8, 1000, false);
    const std::vector<std::string> lines = lines_of(out);
    ASSERT_EQ(lines.size(), 8000u);
    std::set<std::string> urls;
    for (const std::string& line : lines) {
        boost::json::error_code error;
        const boost::json::value parsed = boost::json::parse(line, error);
        ASSERT_FALSE(error) << "torn record: " << line;
        urls.insert(std::string(parsed.at("url").as_string()));
        ASSERT_EQ(parsed.at("results").at("//p").as_array().size(), 2u);
    }
    EXPECT_EQ(urls.size(), 8000u) << "every record exactly once";
}

TEST(ConcurrentSink, OrderedUnderThreadsComesOutInInputOrder) {
    SinkOptions options{Format::jsonl};
    options.ordered = true;
    const std::vector<std::string> lines =
        lines_of(write_concurrently(options, 8, 250, /*shuffle_indices=*/true));
    ASSERT_EQ(lines.size(), 2000u);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        ASSERT_EQ(boost::json::parse(lines[i]).at("url").as_string(),
                  "http://x/" + std::to_string(i));
    }
}

}  // namespace
}  // namespace corocrawl
