// WARC 1.1 output (ISO 28500): every HTTP exchange of a crawl as a request and a response record,
// each record its own gzip member so a reader can start at any record.
#pragma once

#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>

#include "corocrawl/result.hpp"

namespace corocrawl {

struct WarcOptions {
    std::string path;            // FILE.warc.gz; empty: no WARC output
    std::uint64_t max_size = 0;  // bytes per file before the next one is started; 0: one file
};

// Thread-safe: the records of one Result are written together, never interleaved with another's.
class WarcWriter {
  public:
    // Opens (and truncates) the first file and writes its warcinfo record; throws
    // std::runtime_error naming the file when it cannot be written. With a max_size, files are
    // FILE-00001.warc.gz, FILE-00002.warc.gz, ... (FILE is the path without ".warc.gz"), each
    // starting with its own warcinfo record; a file passes max_size only when one exchange alone
    // is larger.
    explicit WarcWriter(WarcOptions options);

    // Writes a request record and, when a response arrived, a response record for each of
    // result.exchanges (FetchOptions::keep_wire_bytes), the two linked by WARC-Concurrent-To,
    // and flushes. A write that fails stops the WARC output (error() says why) but not the crawl.
    void write(const Result& result);

    // Empty, or why the WARC output stopped.
    std::string error() const {
        const std::lock_guard lock(mutex_);
        return error_;
    }

  private:
    void open_next_file();
    void write_member(const std::string& compressed);

    WarcOptions options_;
    mutable std::mutex mutex_;
    std::ofstream file_;
    std::string file_name_;
    std::string warcinfo_id_;
    std::uint64_t file_size_ = 0;
    std::size_t exchanges_in_file_ = 0;
    std::string error_;
    int file_number_ = 0;
};

namespace warc {

// The pieces of a record, exposed for the tests' reader: "sha1:" + RFC 4648 base32 of SHA-1.
std::string sha1_digest(std::string_view bytes);
// An RFC 4648 base32 encoding, upper case with '=' padding.
std::string base32(std::string_view bytes);
// `data` as one gzip member.
std::string gzip_member(std::string_view data);

}  // namespace warc

}  // namespace corocrawl
