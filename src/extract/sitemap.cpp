#include "corocrawl/sitemap.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <new>
#include <variant>

#include "corocrawl/url.hpp"
#include "extract/libxml.hpp"
#include "extract/page_parser.hpp"

namespace corocrawl {
namespace {

using page::trim_ascii_whitespace;

constexpr std::string_view sitemap_namespace = "http://www.sitemaps.org/schemas/sitemap/0.9";

// No DTD is loaded (no XML_PARSE_DTDLOAD / DTDATTR / DTDVALID), no entity is substituted (no
// XML_PARSE_NOENT: external ones are then never read; and the SAX reader below keeps no entity
// declarations at all), nothing is fetched (NONET), no XInclude, and never XML_PARSE_HUGE, so
// libxml2's own depth and text-size limits hold. RECOVER: a fault (a raw '&' in a <loc>, as real
// sitemaps have) is reported, and the entries after it are still read.
constexpr int xml_parse_options =
    XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

bool is_gzip(std::string_view body) noexcept {
    return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
           static_cast<unsigned char>(body[1]) == 0x8b;
}

// A gzip stream inflated into at most `max_output` bytes; ended whatever happens.
class Gunzip {
  public:
    Gunzip() { ok_ = inflateInit2(&stream_, 15 + 16) == Z_OK; }  // 15 + 16: gzip only
    ~Gunzip() {
        if (ok_) inflateEnd(&stream_);
    }
    Gunzip(const Gunzip&) = delete;
    Gunzip& operator=(const Gunzip&) = delete;

    // Inflates `input` (one or more gzip members) into `output`; why it stopped early, if it did.
    std::optional<std::string> inflate_all(std::string_view input, std::size_t max_output,
                                           std::string& output) {
        if (!ok_) return "zlib could not be initialised";
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
        stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(input.size(), UINT_MAX));
        std::array<char, 64 * 1024> chunk;
        for (;;) {
            stream_.next_out = reinterpret_cast<Bytef*>(chunk.data());
            stream_.avail_out = static_cast<uInt>(chunk.size());
            const int status = inflate(&stream_, Z_NO_FLUSH);
            const std::size_t produced = chunk.size() - stream_.avail_out;
            const std::size_t room = max_output - output.size();
            output.append(chunk.data(), std::min(produced, room));
            if (produced > room) {
                return "the sitemap is larger than " + std::to_string(max_output >> 20) +
                       " MiB decompressed; read up to there";
            }
            if (status == Z_STREAM_END) {
                if (stream_.avail_in == 0) return std::nullopt;
                if (inflateReset(&stream_) != Z_OK) return "zlib could not be reset";
                continue;  // another gzip member follows
            }
            if (status == Z_BUF_ERROR && stream_.avail_in == 0) {
                return std::string("the gzip stream is truncated");
            }
            if (status != Z_OK && status != Z_BUF_ERROR) {
                return std::string("corrupt gzip stream: ") +
                       (stream_.msg != nullptr ? stream_.msg : zError(status));
            }
        }
    }

  private:
    z_stream stream_{};
    bool ok_ = false;
};

std::string_view view(const xmlChar* text) noexcept {
    return text == nullptr ? std::string_view() : reinterpret_cast<const char*>(text);
}

// Collects entries up to the limit, each trimmed and resolved when relative.
class Entries {
  public:
    Entries(Sitemap& sitemap, std::string_view url) : sitemap_(sitemap), url_(url) {}

    // False when the limit was reached (the error is set): stop reading.
    bool add(std::vector<std::string>& into, std::string_view raw) {
        const std::string_view loc = trim_ascii_whitespace(raw);
        if (loc.empty()) return true;
        if (count_ == max_sitemap_entries) {
            sitemap_.error = "more than " + std::to_string(max_sitemap_entries) +
                             " entries; the rest are ignored";
            return false;
        }
        ++count_;
        if (std::holds_alternative<Url>(parse_url(loc))) {
            into.emplace_back(loc);
        } else {
            into.push_back(resolve_reference(url_, loc));
        }
        return true;
    }

  private:
    Sitemap& sitemap_;
    std::string_view url_;
    std::size_t count_ = 0;
};

// What the SAX callbacks see: <urlset><url><loc> and <sitemapindex><sitemap><loc>, by local
// name, in the sitemap namespace or none. No tree is built, so memory stays bounded whatever the
// document's shape, and every entry before a fault in the XML has been taken when it is found.
class SaxReader {
  public:
    SaxReader(Sitemap& sitemap, std::string_view url) : sitemap_(sitemap), entries_(sitemap, url) {}

    void read(std::string_view document) {
        // No getEntity, entityDecl, externalSubset or resolveEntity callback: declared entities
        // are not even kept, so nothing is ever expanded or loaded; predefined and character
        // references (&amp; &#38;) are the parser's own and still decode.
        xmlSAXHandler handler{};
        handler.initialized = XML_SAX2_MAGIC;
        handler.startElementNs = &SaxReader::start_element;
        handler.endElementNs = &SaxReader::end_element;
        handler.characters = &SaxReader::characters;
        handler.cdataBlock = &SaxReader::characters;
        handler.serror = &SaxReader::record_error;
        const std::size_t head = std::min<std::size_t>(document.size(), 4);  // for the encoding
        context_.reset(xmlCreatePushParserCtxt(&handler, this, document.data(),
                                               static_cast<int>(head), nullptr));
        if (!context_) throw std::bad_alloc();
        xmlCtxtUseOptions(context_.get(), xml_parse_options);
        document.remove_prefix(head);
        constexpr std::size_t piece = 256 * 1024;
        do {
            const std::string_view next = document.substr(0, piece);
            document.remove_prefix(next.size());
            xmlParseChunk(context_.get(), next.data(), static_cast<int>(next.size()),
                          document.empty() ? 1 : 0);
        } while (!document.empty() && !stopped_);
        if (out_of_memory_) throw std::bad_alloc();
        if (sitemap_.error) return;  // not a sitemap, or too many entries
        if (first_error_) {
            sitemap_.error = std::move(first_error_);
        } else if (into_ == nullptr) {
            sitemap_.error = "not a sitemap: no root element";
        }
    }

  private:
    static bool ours(const xmlChar* uri) noexcept {
        const std::string_view ns = view(uri);
        return ns.empty() || ns == sitemap_namespace;
    }

    void stop() {
        stopped_ = true;
        xmlStopParser(context_.get());
    }

    // Runs `body` for a callback: nothing may propagate through libxml2's C frames.
    template <class Body>
    static void guarded(void* self, Body body) {
        auto* reader = static_cast<SaxReader*>(self);
        if (reader->stopped_) return;
        try {
            body(*reader);
        } catch (...) {
            reader->out_of_memory_ = true;
            reader->stop();
        }
    }

    static void start_element(void* self, const xmlChar* local_name, const xmlChar* prefix,
                              const xmlChar* uri, int, const xmlChar**, int, int, const xmlChar**) {
        guarded(self, [&](SaxReader& reader) {
            const std::string_view name = view(local_name);
            const bool in_namespace = ours(uri);
            const int depth = reader.depth_++;
            if (depth == 0) {
                if (in_namespace && name == "urlset") {
                    reader.into_ = &reader.sitemap_.pages;
                    reader.entry_name_ = "url";
                } else if (in_namespace && name == "sitemapindex") {
                    reader.into_ = &reader.sitemap_.sitemaps;
                    reader.entry_name_ = "sitemap";
                } else {
                    const std::string qualified =
                        prefix == nullptr ? std::string(name)
                                          : std::string(view(prefix)) + ":" + std::string(name);
                    reader.sitemap_.error = "not a sitemap: the root element is <" + qualified +
                                            ">, not <urlset> or <sitemapindex>";
                    reader.stop();
                }
            } else if (depth == 1) {
                reader.in_entry_ = in_namespace && name == reader.entry_name_;
                reader.entry_has_loc_ = false;
            } else if (depth == 2 && reader.in_entry_ && !reader.entry_has_loc_ && in_namespace &&
                       name == "loc") {
                reader.entry_has_loc_ = true;  // only the first <loc> of an entry
                reader.in_loc_ = true;
                reader.loc_.clear();
            }
        });
    }

    static void end_element(void* self, const xmlChar*, const xmlChar*, const xmlChar*) {
        guarded(self, [&](SaxReader& reader) {
            const int depth = --reader.depth_;
            if (depth == 2 && reader.in_loc_) {
                reader.in_loc_ = false;
                if (!reader.entries_.add(*reader.into_, reader.loc_)) reader.stop();
            }
        });
    }

    static void characters(void* self, const xmlChar* text, int length) {
        guarded(self, [&](SaxReader& reader) {
            if (reader.in_loc_ && reader.depth_ == 3) {  // the <loc>'s own text, not a child's
                reader.loc_.append(reinterpret_cast<const char*>(text),
                                   static_cast<std::size_t>(length));
            }
        });
    }

    // The first error libxml2 reports, with its line; warnings are ignored.
    static void record_error(void* self, xmlErrorPtr error) {
        auto* reader = static_cast<SaxReader*>(self);
        if (reader->first_error_ || error == nullptr || error->level < XML_ERR_ERROR) return;
        try {
            std::string text = error->message != nullptr ? error->message : "malformed XML";
            while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
            reader->first_error_ =
                "malformed XML at line " + std::to_string(error->line) + ": " + text;
        } catch (...) {
            reader->out_of_memory_ = true;
            reader->stop();
        }
    }

    Sitemap& sitemap_;
    Entries entries_;
    libxml::XmlParserContext context_;
    std::vector<std::string>* into_ = nullptr;  // pages or sitemaps, once the root is known
    const char* entry_name_ = "";               // "url" or "sitemap"
    int depth_ = 0;
    bool in_entry_ = false;
    bool entry_has_loc_ = false;
    bool in_loc_ = false;
    bool stopped_ = false;
    bool out_of_memory_ = false;
    std::string loc_;
    std::optional<std::string> first_error_;
};

void read_xml(std::string_view document, std::string_view url, Sitemap& sitemap) {
    const libxml::ScopedErrorHandler quiet;
    SaxReader(sitemap, url).read(document);
}

// The protocol's text form: one absolute http(s) URL per line.
void read_text(std::string_view text, std::string_view url, Sitemap& sitemap) {
    Entries entries(sitemap, url);
    std::size_t skipped = 0;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line = trim_ascii_whitespace(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty()) continue;
        if (!std::holds_alternative<Url>(parse_url(line))) {
            ++skipped;
        } else if (!entries.add(sitemap.pages, line)) {
            return;
        }
    }
    if (skipped > 0 && !sitemap.error) {
        sitemap.error = sitemap.pages.empty()
                            ? std::string("not a sitemap: neither XML nor a list of http(s) URLs")
                            : std::to_string(skipped) + " lines skipped: not absolute http(s) URLs";
    }
}

// Whether the body is XML rather than the text form: its first character, after a byte-order
// mark and white space, is '<' (or the byte-order mark is UTF-16's).
bool looks_like_xml(std::string_view body) noexcept {
    if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
    if (body.starts_with("\xFF\xFE") || body.starts_with("\xFE\xFF")) return true;
    body = trim_ascii_whitespace(body);
    return body.starts_with('<');
}

}  // namespace

Sitemap parse_sitemap(std::string_view body, std::string_view url) {
    libxml::initialise_once();
    Sitemap sitemap;
    std::optional<std::string> read_error;  // reported ahead of whatever the parse says
    std::string inflated;
    if (is_gzip(body)) {
        read_error = Gunzip().inflate_all(body, max_sitemap_bytes, inflated);
        body = inflated;
    } else if (body.size() > max_sitemap_bytes) {
        body = body.substr(0, max_sitemap_bytes);
        read_error = "the sitemap is larger than " + std::to_string(max_sitemap_bytes >> 20) +
                     " MiB; read up to there";
    }
    if (looks_like_xml(body)) {
        read_xml(body, url, sitemap);
    } else {
        read_text(body, url, sitemap);
    }
    if (read_error) sitemap.error = std::move(read_error);
    return sitemap;
}

}  // namespace corocrawl
