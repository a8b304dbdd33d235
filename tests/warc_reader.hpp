// A WARC reader for the tests, written apart from the writer (its own gunzip, SHA-1 through
// OpenSSL's one-shot EVP_Digest, base32 bit by bit): every gzip member must hold exactly one
// whole record, and check_records() verifies lengths, digests and request/response linkage.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

namespace corocrawl::testing {

struct WarcRecord {
    std::map<std::string, std::string> fields;  // name as written -> value
    std::string block;
    std::string field(const std::string& name) const {
        const auto found = fields.find(name);
        return found == fields.end() ? std::string() : found->second;
    }
};

// One gzip member from the front of `bytes`; how many bytes it took goes to `used` (0: broken).
inline std::string gunzip_member(std::string_view bytes, std::size_t& used) {
    z_stream stream{};
    used = 0;
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return {};
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char chunk[16384];
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk);
        stream.avail_out = sizeof chunk;
        status = inflate(&stream, Z_NO_FLUSH);
        out.append(chunk, sizeof chunk - stream.avail_out);
    }
    if (status == Z_STREAM_END) used = stream.total_in;
    inflateEnd(&stream);
    return out;
}

// Parses one record that must fill `text` exactly.
inline WarcRecord parse_record(const std::string& text) {
    WarcRecord record;
    EXPECT_TRUE(text.starts_with("WARC/1.1\r\n")) << text.substr(0, 40);
    const auto header_end = text.find("\r\n\r\n");
    if (header_end == std::string::npos) {
        ADD_FAILURE() << "no end of the record header";
        return record;
    }
    std::size_t at = text.find("\r\n") + 2;
    while (at < header_end + 2) {
        const auto line_end = text.find("\r\n", at);
        const std::string line = text.substr(at, line_end - at);
        const auto colon = line.find(": ");
        EXPECT_NE(colon, std::string::npos) << line;
        record.fields.emplace(line.substr(0, colon), line.substr(colon + 2));
        at = line_end + 2;
    }
    const std::size_t length = std::stoul(record.field("Content-Length"));
    record.block = text.substr(header_end + 4, length);
    EXPECT_EQ(record.block.size(), length) << "block shorter than its Content-Length";
    EXPECT_EQ(text.substr(header_end + 4 + length), "\r\n\r\n") << "a record ends with two CRLFs";
    return record;
}

// Every record of the file, one per gzip member.
inline std::vector<WarcRecord> read_warc(const std::string& path) {
    const std::string bytes = read_file(path);
    std::vector<WarcRecord> records;
    for (std::string_view rest = bytes; !rest.empty();) {
        std::size_t used = 0;
        const std::string text = gunzip_member(rest, used);
        if (used == 0) {
            ADD_FAILURE() << path << ": a broken gzip member at offset "
                          << bytes.size() - rest.size();
            break;
        }
        records.push_back(parse_record(text));
        rest.remove_prefix(used);
    }
    return records;
}

inline std::string sha1_base32(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha1(), nullptr);
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    const std::size_t bits = length * 8;
    for (std::size_t bit = 0; bit < bits; bit += 5) {
        int value = 0;
        for (std::size_t i = bit; i < bit + 5; ++i) {
            const int b = i < bits ? (digest[i / 8] >> (7 - i % 8)) & 1 : 0;
            value = value * 2 + b;
        }
        out += alphabet[value];
    }
    return "sha1:" + out;  // 160 bits are 32 characters: no padding
}

// The entity body of an HTTP response block: after the header, chunked coding removed.
inline std::string http_payload(const std::string& block) {
    const auto header_end = block.find("\r\n\r\n");
    if (header_end == std::string::npos) return {};
    const std::string header = block.substr(0, header_end);
    std::string body = block.substr(header_end + 4);
    std::string lower;
    for (const char c : header)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("\r\ntransfer-encoding: chunked") == std::string::npos) return body;
    std::string payload;
    for (std::size_t at = 0;;) {
        const auto line_end = body.find("\r\n", at);
        const std::size_t size = std::stoul(body.substr(at, line_end - at), nullptr, 16);
        if (size == 0) return payload;
        payload += body.substr(line_end + 2, size);
        at = line_end + 2 + size + 2;
    }
}

// A warcinfo first, then request/response records that check out; returns the requests'
// target URIs in order.
inline std::vector<std::string> check_records(const std::vector<WarcRecord>& records) {
    std::vector<std::string> targets;
    if (records.empty()) {
        ADD_FAILURE() << "no records";
        return targets;
    }
    EXPECT_EQ(records[0].field("WARC-Type"), "warcinfo");
    EXPECT_EQ(records[0].field("Content-Type"), "application/warc-fields");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& record = records[i];
        const std::string id = record.field("WARC-Record-ID");
        EXPECT_TRUE(id.starts_with("<urn:uuid:") && id.ends_with(">") && id.size() == 47) << id;
        EXPECT_TRUE(ids.insert(id).second) << "a record ID twice: " << id;
        const std::string date = record.field("WARC-Date");
        EXPECT_EQ(date.size(), 20u) << date;
        EXPECT_TRUE(date.ends_with("Z")) << date;
        const std::string type = record.field("WARC-Type");
        if (i > 0) {
            EXPECT_NE(type, "warcinfo") << "one warcinfo per file, first";
        }
        if (type != "request") continue;
        targets.push_back(record.field("WARC-Target-URI"));
        EXPECT_EQ(record.field("Content-Type"), "application/http; msgtype=request");
        EXPECT_EQ(record.field("WARC-Block-Digest"), sha1_base32(record.block));
        const auto body_at = record.block.find("\r\n\r\n");
        EXPECT_EQ(record.field("WARC-Payload-Digest"),
                  sha1_base32(record.block.substr(body_at + 4)));
        if (i + 1 >= records.size() || records[i + 1].field("WARC-Type") != "response") continue;
        const auto& response = records[i + 1];
        EXPECT_EQ(record.field("WARC-Concurrent-To"), response.field("WARC-Record-ID"));
        EXPECT_EQ(response.field("WARC-Concurrent-To"), id);
        EXPECT_EQ(response.field("WARC-Target-URI"), record.field("WARC-Target-URI"));
        EXPECT_EQ(response.field("WARC-IP-Address"), "127.0.0.1");
        EXPECT_EQ(response.field("Content-Type"), "application/http; msgtype=response");
        EXPECT_EQ(response.field("WARC-Block-Digest"), sha1_base32(response.block));
        EXPECT_EQ(response.field("WARC-Payload-Digest"), sha1_base32(http_payload(response.block)));
        EXPECT_TRUE(response.block.starts_with("HTTP/1.1 ")) << response.block.substr(0, 40);
    }
    return targets;
}

}  // namespace corocrawl::testing
