// Records read back as `corocrawl merge` reads them: what a Sink wrote in jsonl and csv (written
// here by a real Sink, so a change to the formats shows), the CSV header repeated by a crawl that
// appended, quoted values spanning lines, and lines that are not records.
#include "sink/record_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "corocrawl/sink.hpp"

namespace corocrawl {
namespace {

Result page(std::string url, int status, std::vector<Extraction> extractions = {}) {
    Result result;
    result.url = url;
    result.final_url = std::move(url);
    result.status = status;
    if (status < 200 || status > 399)
        result.error = Error{ErrorKind::http_status, "HTTP " + std::to_string(status)};
    result.extractions = std::move(extractions);
    return result;
}

Result failure(std::string url, ErrorKind kind) {
    Result result;
    result.url = std::move(url);
    result.error = Error{kind, "it failed"};
    return result;
}

// What a Sink with `options` writes for `results`.
std::string written(const std::vector<Result>& results, SinkOptions options) {
    std::ostringstream out, errors;
    {
        Sink sink(out, errors, options);
        for (const auto& result : results) sink.write(result);
    }
    return out.str();
}

struct Read {
    RecordFormat format;
    std::vector<ReadRecord> records;
    std::vector<NotARecord> bad;
};

Read read_all(const std::string& text) {
    std::istringstream in(text);
    RecordReader reader(in);
    Read read{reader.format(), {}, {}};
    while (auto next = reader.next()) {
        if (auto* record = std::get_if<ReadRecord>(&*next)) {
            read.records.push_back(std::move(*record));
        } else {
            read.bad.push_back(std::get<NotARecord>(std::move(*next)));
        }
    }
    return read;
}

TEST(RecordReader, ReadsJsonLinesAsASinkWritesThem) {
    const SinkOptions jsonl{.format = Format::jsonl};
    const std::string text = written(
        {page("http://a/1", 200), page("http://a/2", 404), failure("http://b/", ErrorKind::dns)},
        jsonl);
    const auto read = read_all(text);
    EXPECT_EQ(read.format, RecordFormat::jsonl);
    EXPECT_TRUE(read.bad.empty());
    ASSERT_EQ(read.records.size(), 3u);
    EXPECT_EQ(read.records[0].url, "http://a/1");
    EXPECT_TRUE(read.records[0].ok);
    EXPECT_FALSE(read.records[1].ok);
    EXPECT_FALSE(read.records[2].ok);
    std::string again;
    for (const auto& record : read.records) again += record.text;
    EXPECT_EQ(again, text);  // each record's text exactly as written
    EXPECT_EQ(read.records[2].line, 3u);
}

TEST(RecordReader, ReadsCsvRecordsWholeAcrossRepeatedHeadersAndQuotedLineEnds) {
    SinkOptions csv{.format = Format::csv};
    const Extraction values{"//p", {"one", "two, \"quoted\"\r\nand a line end"}};
    const std::string first_run =
        written({page("http://a/1", 200, {values}), page("http://a/2", 200, {values})}, csv);
    const std::string second_run = written({page("http://a/1", 200, {values})}, csv);
    const auto read = read_all(first_run + second_run);  // a crawl appended: the header again
    EXPECT_EQ(read.format, RecordFormat::csv);
    EXPECT_TRUE(read.bad.empty()) << read.bad.front().reason;
    ASSERT_EQ(read.records.size(), 3u);  // a/1 twice: the header between ends the first
    EXPECT_EQ(read.records[0].url, "http://a/1");
    EXPECT_EQ(read.records[1].url, "http://a/2");
    EXPECT_EQ(read.records[2].url, "http://a/1");
    for (const auto& record : read.records) EXPECT_TRUE(record.ok);
    const std::string header = "url,field,value,depth,referrer\r\n";
    EXPECT_EQ(header + read.records[0].text + read.records[1].text, first_run);
    EXPECT_EQ(header + read.records[2].text, second_run);
    EXPECT_EQ(read.records[1].line, 5u);  // 1 header, 2 + 2 lines of a/1's rows
}

TEST(RecordReader, ACsvStatusRowIsOkForA2xxOr3xxStatusOnly) {
    SinkOptions csv{.format = Format::csv, .extracting = false};
    const auto read = read_all(
        written({page("http://a/200", 200), page("http://a/301", 301), page("http://a/404", 404),
                 page("http://a/500", 503), failure("http://a/dns", ErrorKind::dns)},
                csv));
    ASSERT_EQ(read.records.size(), 5u);
    EXPECT_TRUE(read.records[0].ok);
    EXPECT_TRUE(read.records[1].ok);
    EXPECT_FALSE(read.records[2].ok);
    EXPECT_FALSE(read.records[3].ok);
    EXPECT_FALSE(read.records[4].ok);
}

TEST(RecordReader, NamesTheLinesThatAreNotRecordsAndReadsOn) {
    const auto jsonl = read_all(
        "{\"url\":\"http://a/\",\"ok\":true}\n"
        "{\"url\":\"http://b/\",\"ok\":tr\n"  // torn
        "[1,2]\n"
        "{\"ok\":true}\n"
        "{\"url\":\"http://c/\",\"ok\":\"yes\"}\n"
        "\n"
        "{\"url\":\"http://d/\",\"ok\":false}");  // no line end at the end
    ASSERT_EQ(jsonl.records.size(), 2u);
    EXPECT_EQ(jsonl.records[1].url, "http://d/");
    EXPECT_EQ(jsonl.records[1].text, "{\"url\":\"http://d/\",\"ok\":false}\n");
    EXPECT_EQ(jsonl.records[1].line, 7u);
    ASSERT_EQ(jsonl.bad.size(), 4u);
    EXPECT_EQ(jsonl.bad[0].line, 2u);
    EXPECT_EQ(jsonl.bad[1].reason, "not a JSON object");
    EXPECT_EQ(jsonl.bad[2].reason, "no \"url\" string");
    EXPECT_EQ(jsonl.bad[3].reason, "no \"ok\" boolean");

    const auto csv = read_all(
        "url,field,value,depth,referrer\r\n"
        "http://a/,,200,0,\r\n"
        "http://b/,,200\r\n"
        "http://c/,,200,x,\r\n"
        "http://d/,\"open,200,0,\r\n"
        "\r\n"
        "http://e/,,200,0,\r\n");  // taken into d's open quote: the rest is no record
    ASSERT_EQ(csv.records.size(), 1u);
    ASSERT_EQ(csv.bad.size(), 3u);
    EXPECT_EQ(csv.bad[0].line, 3u);
    EXPECT_NE(csv.bad[0].reason.find("3 fields"), std::string::npos) << csv.bad[0].reason;
    EXPECT_NE(csv.bad[1].reason.find("depth"), std::string::npos) << csv.bad[1].reason;
    EXPECT_EQ(csv.bad[2].line, 5u);
    EXPECT_EQ(csv.bad[2].reason, "a quoted field is not closed");
}

TEST(RecordReader, TellsTheFormatByTheFirstLine) {
    EXPECT_EQ(read_all("").format, RecordFormat::empty);
    EXPECT_EQ(read_all("\n  \n").format, RecordFormat::empty);
    EXPECT_EQ(read_all("\n{\"url\":\"x\",\"ok\":true}\n").format, RecordFormat::jsonl);
    EXPECT_EQ(read_all("url,field,value,depth,referrer\n").format, RecordFormat::csv);
    EXPECT_EQ(read_all("200\thttp://a/\n").format, RecordFormat::unknown);  // crawl -f text
    EXPECT_EQ(read_all("url,field,value\r\n").format, RecordFormat::unknown);
}

}  // namespace
}  // namespace corocrawl
