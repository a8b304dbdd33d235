#include "sink/warc_writer.hpp"

#include "corocrawl/options.hpp"

#define ZLIB_CONST  // next_in is then a pointer to const
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

namespace corocrawl {
namespace warc {
namespace {

// One deflate stream producing a gzip member, ended however the function using it returns.
class GzipDeflater {
  public:
    GzipDeflater() {
        constexpr int gzip_window_bits = 15 + 16, memory_level = 8;
        if (deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits,
                         memory_level, Z_DEFAULT_STRATEGY) != Z_OK) {
            throw std::runtime_error("zlib could not be initialised");
        }
    }
    ~GzipDeflater() { deflateEnd(&stream_); }
    GzipDeflater(const GzipDeflater&) = delete;
    GzipDeflater& operator=(const GzipDeflater&) = delete;

    std::string finish(std::string_view input) {
        std::string output;
        std::array<char, 64 * 1024> chunk;
        while (!input.empty() || output.empty() || stream_.avail_out == 0) {
            // zlib counts in unsigned int: feed at most 1 GiB at a time.
            const std::size_t piece = std::min<std::size_t>(input.size(), std::size_t{1} << 30);
            stream_.next_in = reinterpret_cast<const Bytef*>(input.data());
            stream_.avail_in = static_cast<uInt>(piece);
            const bool last = piece == input.size();
            int status = Z_OK;
            do {
                stream_.next_out = reinterpret_cast<Bytef*>(chunk.data());
                stream_.avail_out = static_cast<uInt>(chunk.size());
                status = deflate(&stream_, last ? Z_FINISH : Z_NO_FLUSH);
                if (status == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
                output.append(chunk.data(), chunk.size() - stream_.avail_out);
            } while (stream_.avail_out == 0);
            input.remove_prefix(piece - stream_.avail_in);
            if (last && status == Z_STREAM_END) break;
        }
        return output;
    }

  private:
    z_stream stream_{};
};

struct DigestContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// A random (version 4) UUID as a WARC record ID.
std::string record_id() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("no random bytes for a WARC record ID");
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = "<urn:uuid:";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
        id += hex[bytes[i] >> 4];
        id += hex[bytes[i] & 0x0F];
    }
    return id + ">";
}

// WARC-Date: UTC, to the second (ISO 8601, as WARC 1.1 requires).
std::string warc_date(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

struct Field {
    std::string_view name;
    std::string value;
};

// A whole record: version line, fields, Content-Length, blank line, block, two CRLFs.
std::string record(const std::vector<Field>& fields, std::string_view block) {
    std::string text = "WARC/1.1\r\n";
    for (const auto& field : fields) {
        if (field.value.empty()) continue;  // e.g. no IP address known
        text.append(field.name);
        text += ": ";
        text += field.value;
        text += "\r\n";
    }
    text += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n";
    text.append(block);
    text += "\r\n\r\n";
    return text;
}

// A URI as a WARC field value may hold it: no control characters or spaces (a URL from the
// crawl is normalised already; this only guards the record's framing).
std::string field_value(std::string_view text) {
    std::string value;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7F) {
            static constexpr char hex[] = "0123456789ABCDEF";
            value += '%';
            value += hex[byte >> 4];
            value += hex[byte & 0x0F];
        } else {
            value += c;
        }
    }
    return value;
}

}  // namespace

std::string base32(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 5) {
            out += alphabet[(buffer >> (bits - 5)) & 0x1F];
            bits -= 5;
        }
    }
    if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 0x1F];
    while (out.size() % 8 != 0) out += '=';
    return out;
}

std::string sha1_digest(std::string_view bytes) {
    const std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha1(), nullptr) != 1 ||
        EVP_DigestUpdate(context.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1) {
        throw std::runtime_error("SHA-1 failed");
    }
    return "sha1:" + base32({reinterpret_cast<const char*>(digest.data()), length});
}

std::string gzip_member(std::string_view data) {
    return GzipDeflater().finish(data);
}

}  // namespace warc

using warc::Field;

WarcWriter::WarcWriter(WarcOptions options) : options_(std::move(options)) {
    open_next_file();
}

void WarcWriter::open_next_file() {
    std::string name = options_.path;
    if (options_.max_size > 0) {
        std::string stem = name;
        if (stem.ends_with(".warc.gz")) stem.resize(stem.size() - 8);
        char number[16];
        std::snprintf(number, sizeof number, "-%05d", ++file_number_);
        name = stem + number + ".warc.gz";
    }
    file_.close();
    file_.clear();
    file_.open(name, std::ios::binary | std::ios::trunc);
    if (!file_) throw std::runtime_error("cannot write " + name + ": " + std::strerror(errno));
    file_name_ = name;
    file_size_ = 0;
    exchanges_in_file_ = 0;
    warcinfo_id_ = warc::record_id();
    const std::string info = "software: corocrawl/" + std::string(version()) +
                             "\r\nformat: WARC File Format 1.1\r\n"
                             "conformsTo: https://iipc.github.io/warc-specifications/"
                             "specifications/warc-format/warc-1.1/\r\n";
    write_member(warc::gzip_member(
        warc::record({{"WARC-Type", "warcinfo"},
                      {"WARC-Date", warc::warc_date(std::chrono::system_clock::now())},
                      {"WARC-Record-ID", warcinfo_id_},
                      {"WARC-Filename", std::filesystem::path(name).filename().string()},
                      {"Content-Type", "application/warc-fields"}},
                     info)));
}

void WarcWriter::write_member(const std::string& compressed) {
    file_.write(compressed.data(), static_cast<std::streamsize>(compressed.size()));
    file_size_ += compressed.size();
}

void WarcWriter::write(const Result& result) {
    for (const WireExchange& exchange : result.exchanges) {
        // Built and compressed outside the lock; only the file is shared.
        const std::string request_id = warc::record_id(), response_id = warc::record_id();
        const bool answered = !exchange.response.empty();
        const std::string date = warc::warc_date(exchange.date);
        const std::string uri = warc::field_value(exchange.url);
        const auto header_end = exchange.request.find("\r\n\r\n");
        const std::string_view request_body =
            header_end == std::string::npos
                ? std::string_view()
                : std::string_view(exchange.request).substr(header_end + 4);
        std::string members = warc::gzip_member(
            warc::record({{"WARC-Type", "request"},
                          {"WARC-Record-ID", request_id},
                          {"WARC-Date", date},
                          {"WARC-Target-URI", uri},
                          {"WARC-IP-Address", exchange.ip_address},
                          {"WARC-Concurrent-To", answered ? response_id : ""},
                          {"Content-Type", "application/http; msgtype=request"},
                          {"WARC-Block-Digest", warc::sha1_digest(exchange.request)},
                          {"WARC-Payload-Digest", warc::sha1_digest(request_body)}},
                         exchange.request));
        if (answered) {
            members += warc::gzip_member(
                warc::record({{"WARC-Type", "response"},
                              {"WARC-Record-ID", response_id},
                              {"WARC-Date", date},
                              {"WARC-Target-URI", uri},
                              {"WARC-IP-Address", exchange.ip_address},
                              {"WARC-Concurrent-To", request_id},
                              {"Content-Type", "application/http; msgtype=response"},
                              {"WARC-Block-Digest", warc::sha1_digest(exchange.response)},
                              {"WARC-Payload-Digest", warc::sha1_digest(exchange.payload)}},
                             exchange.response));
        }
        const std::lock_guard lock(mutex_);
        if (!error_.empty()) return;
        try {
            // A file holding more than its warcinfo is rotated before it would pass the limit.
            if (options_.max_size > 0 && exchanges_in_file_ > 0 &&
                file_size_ + members.size() > options_.max_size) {
                open_next_file();
            }
            write_member(members);
            ++exchanges_in_file_;
            file_.flush();
            if (!file_) throw std::runtime_error("cannot write " + file_name_);
        } catch (const std::exception& e) {
            error_ = e.what();  // reported when the crawl ends; a callback must not throw
        }
    }
}

}  // namespace corocrawl
