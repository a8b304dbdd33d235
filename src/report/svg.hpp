// A minimal SVG writer: elements, attributes and text, escaped so the output is always valid XML.
// Just what the timeline needs; no library.
#pragma once

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace corocrawl::report {

struct Attribute {
    std::string_view name;
    std::string value;  // escaped when written
};
using Attributes = std::initializer_list<Attribute>;

// `text` escaped for XML content and attribute values; characters XML 1.0 forbids even as
// references (controls other than tab, LF, CR) are dropped.
std::string escape_xml(std::string_view text);

// A coordinate or length: at most `decimals` decimals, trailing zeros trimmed ("12.5", "3").
std::string number(double value, int decimals = 1);

class SvgWriter {
  public:
    explicit SvgWriter(std::ostream& out);  // writes the XML declaration

    void open(std::string_view tag, Attributes attributes = {});
    void close();                                            // the innermost open element
    void leaf(std::string_view tag, Attributes attributes);  // <tag .../>
    void text(std::string_view tag, Attributes attributes, std::string_view content);
    void finish();  // closes whatever is still open

  private:
    void start_tag(std::string_view tag, Attributes attributes);

    std::ostream& out_;
    std::vector<std::string> open_;
};

}  // namespace corocrawl::report
