// Hostile pages, for the security tests (see routes.cpp for what every route shares):
//
//   /hostile/entities    ?fetch=URL&file=PATH: HTML whose DOCTYPE, entities, XInclude, <link>,
//                        <img> and <iframe> point at URL (prefixed to dtd, entity, ...) and at
//                        file://PATH; #net and #file hold "[&net;]" and "[&file;]"
//   /hostile/control     HTML whose <title> and <p id="t"> carry terminal control characters
#include <string>

#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
namespace {

// An HTML page that asks its parser to reach out: an external DTD and external entities at `fetch`
// (a URL, e.g. another server the test watches), an entity naming the local file `file`, a
// parameter entity, XInclude, and resources a browser would load. A safe parser fetches and reads
// none of them; #net and #file then hold no entity text. The server only writes the names.
Reply entities_page(const Call& call) {
    auto fetch = call.target.param("fetch").value_or("http://127.0.0.1:9/");
    auto file = call.target.param("file").value_or("/etc/hostname");
    if (fetch.find_first_of("\"<>") != std::string::npos ||
        file.find_first_of("\"<>") != std::string::npos) {
        return {bad_request("fetch and file must not contain quotes or angle brackets.")};
    }
    auto body = "<!DOCTYPE html SYSTEM \"" + fetch +
                "dtd\" [\n"
                "<!ENTITY net SYSTEM \"" +
                fetch +
                "entity\">\n"
                "<!ENTITY file SYSTEM \"file://" +
                file +
                "\">\n"
                "<!ENTITY % parameter SYSTEM \"" +
                fetch +
                "parameter\">\n"
                "%parameter;\n"
                "]>\n<html><head><title>entities</title>"
                "<link rel=\"stylesheet\" href=\"" +
                fetch +
                "css\"></head>\n<body>"
                "<p id=\"net\">[&net;]</p><p id=\"file\">[&file;]</p>"
                "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"" +
                fetch + "xinclude\"/><img src=\"" + fetch + "img\"><iframe src=\"" + fetch +
                "iframe\"></iframe></body></html>\n";
    return {make_response(http::status::ok, std::move(body))};
}

// A page whose title and text carry terminal control sequences: ESC [31m, BEL, CR, backspace, DEL,
// an ESC written as &#27;, and the C1 control U+009B (CSI on some terminals).
Reply control_characters_page(const Call&) {
    return {make_response(http::status::ok,
                          "<!DOCTYPE html><html><head><title>\x1b[31mred\x07"
                          "bell\rreturn</title></head><body><p id=\"t\">back\bspace\x7f"
                          " del &#27;]0;title\x07 \xc2\x9b"
                          "2J csi</p></body></html>\n")};
}

}  // namespace

// /hostile/entities and /hostile/control.
Reply hostile_page(const Call& call) {
    if (call.parameter == "entities") return entities_page(call);
    if (call.parameter == "control") return control_characters_page(call);
    return {not_found()};
}

}  // namespace corocrawl::test_server::handlers
