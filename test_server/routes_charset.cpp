// Pages in other charsets, declared every way a page can declare one (see routes.cpp for what
// every route shares):
//
//   /charset/NAME        ?declare=header|meta|http-equiv|both|bom (default header): an HTML page
//                        in charset NAME (one of charset_samples.hpp: gbk, gb18030, big5,
//                        shift_jis, euc-kr, windows-1252, iso-8859-1, utf-8; else 404) whose
//                        <title> and <p id="t"> hold the sample text for NAME. The charset is
//                        declared only in Content-Type (header), only in <meta charset> (meta) or
//                        <meta http-equiv="Content-Type"> (http-equiv) with Content-Type text/html;
//                        both: Content-Type says NAME and <meta charset> says koi8-r, wrongly;
//                        bom (NAME must be utf-8): a UTF-8 BOM, a wrong koi8-r <meta>, no charset
//                        in Content-Type
#include <string>
#include <string_view>

#include "charset_encoder.hpp"
#include "charset_samples.hpp"
#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
namespace {

// The HTML of a /charset page, still in UTF-8: `meta` goes first in <head>, within the bytes a
// client prescans for it.
std::string charset_page_html(std::string_view meta, std::string_view sample) {
    std::string html = "<!DOCTYPE html>\n<html>\n<head>";
    html.append(meta).append("<title>").append(sample).append("</title></head>\n<body>\n");
    html.append("<h1>charset</h1>\n<p id=\"t\">").append(sample).append("</p>\n</body>\n</html>\n");
    return html;
}

std::string meta_charset(std::string_view charset) {
    return "<meta charset=\"" + std::string(charset) + "\">";
}

}  // namespace

Reply charset_page(const Call& call) {
    const CharsetSample* sample = nullptr;
    for (const auto& candidate : charset_samples) {
        if (candidate.charset == call.parameter) sample = &candidate;
    }
    if (!sample) return {not_found()};
    const std::string name(sample->charset);
    const auto declare = call.target.param("declare").value_or("header");

    std::string content_type = "text/html", meta, bom;
    if (declare == "header") {
        content_type += "; charset=" + name;
    } else if (declare == "meta") {
        meta = meta_charset(name);
    } else if (declare == "http-equiv") {
        meta = R"(<meta http-equiv="Content-Type" content="text/html; charset=)" + name + "\">";
    } else if (declare == "both") {
        content_type += "; charset=" + name;
        meta = meta_charset(wrong_charset);
    } else if (declare == "bom") {
        if (name != "utf-8") return {bad_request("declare=bom is for utf-8 only.")};
        bom = "\xEF\xBB\xBF";
        meta = meta_charset(wrong_charset);
    } else {
        return {bad_request("declare must be header, meta, http-equiv, both or bom.")};
    }
    auto encoded = encode_utf8_as(name, charset_page_html(meta, sample->text));
    if (!encoded) return {status_page(500, "iconv cannot encode this charset.")};
    return {make_response(http::status::ok, bom + *encoded, content_type)};
}

}  // namespace corocrawl::test_server::handlers
