#include "report/svg.hpp"

#include <charconv>
#include <cmath>

namespace corocrawl::report {

std::string escape_xml(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '\'':
                escaped += "&apos;";
                break;
            default:
                const auto byte = static_cast<unsigned char>(c);
                if (byte >= 0x20 || c == '\t' || c == '\n' || c == '\r') escaped += c;
        }
    }
    return escaped;
}

std::string number(double value, int decimals) {
    if (!std::isfinite(value)) return "0";
    char buffer[64];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    std::string text(buffer, error == std::errc{} ? end : buffer);
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
    }
    return text == "-0" || text.empty() ? "0" : text;
}

SvgWriter::SvgWriter(std::ostream& out) : out_(out) {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void SvgWriter::start_tag(std::string_view tag, Attributes attributes) {
    out_ << '<' << tag;
    for (const auto& attribute : attributes) {
        out_ << ' ' << attribute.name << "=\"" << escape_xml(attribute.value) << '"';
    }
}

void SvgWriter::open(std::string_view tag, Attributes attributes) {
    start_tag(tag, attributes);
    out_ << ">\n";
    open_.emplace_back(tag);
}

void SvgWriter::close() {
    out_ << "</" << open_.back() << ">\n";
    open_.pop_back();
}

void SvgWriter::leaf(std::string_view tag, Attributes attributes) {
    start_tag(tag, attributes);
    out_ << "/>\n";
}

void SvgWriter::text(std::string_view tag, Attributes attributes, std::string_view content) {
    start_tag(tag, attributes);
    out_ << '>' << escape_xml(content) << "</" << tag << ">\n";
}

void SvgWriter::finish() {
    while (!open_.empty()) close();
}

}  // namespace corocrawl::report
