// A recursive-descent parser for CSS selectors that emits XPath as it goes, following cssselect's
// HTMLTranslator (the reference for parsel) construct by construct, and parsel's ::text and
// ::attr() on top. Grammar:
//
//   list     := complex ( ',' complex )*
//   complex  := compound ( combinator compound )*          combinator: ' ', '>', '+', '~'
//   compound := ( type | '*' )? ( '#'name | '.'ident | attrib | ':'pseudo_class )* pseudo_elem?
//   attrib   := '[' ident ( ( '=' | '~=' | '|=' | '^=' | '$=' | '*=' ) ( ident | string ) )? ']'
#include "corocrawl/css_selector.hpp"

#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

namespace corocrawl {
namespace {

bool is_ascii_letter(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
bool is_hex_digit(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_non_ascii(char c) noexcept {
    return static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_start(char c) noexcept {
    return is_ascii_letter(c) || c == '_' || is_non_ascii(c);
}
bool is_name_char(char c) noexcept {
    return is_name_start(c) || is_digit(c) || c == '-';
}
bool is_whitespace(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string ascii_lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

// cssselect's is_safe_name: usable as an XPath name test as it is.
bool is_safe_name(std::string_view name) noexcept {
    if (name.empty() || !(is_ascii_letter(name[0]) || name[0] == '_')) return false;
    for (const char c : name) {
        if (!(is_ascii_letter(c) || is_digit(c) || c == '_' || c == '.' || c == '-')) return false;
    }
    return true;
}

// What an XPath literal (XML's Char production) can hold.
bool is_xml_char(std::uint32_t c) noexcept {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// The code point of the well-formed UTF-8 sequence at the start of `text`, and its length; 0
// length when it is not well formed.
std::pair<std::uint32_t, std::size_t> decode_utf8(std::string_view text) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || length > text.size() || lead > 0xF4) return {0, 0};
    std::uint32_t code_point = lead & (0x7F >> length);
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return {0, 0};
        code_point = (code_point << 6) | (byte(i) & 0x3F);
    }
    static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < smallest[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        return {0, 0};  // overlong, out of range, or a surrogate
    }
    return {code_point, length};
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    // CSS Syntax 4.3.7 makes NUL, surrogates and out-of-range escapes U+FFFD; so do the other
    // characters an XPath literal cannot carry.
    if (!is_xml_char(code_point)) code_point = 0xFFFD;
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

// `text` between two `quote`s. (Appended piece by piece: GCC 12 warns falsely about
// "'" + std::string(text), PR 105329.)
void append_quoted(std::string& out, std::string_view text, char quote) {
    out += quote;
    out.append(text);
    out += quote;
}

// cssselect's xpath_literal: a string in whichever quotes it does not contain, else concat().
std::string xpath_literal(std::string_view text) {
    std::string literal;
    if (text.find('\'') == std::string_view::npos) {
        append_quoted(literal, text, '\'');
    } else if (text.find('"') == std::string_view::npos) {
        append_quoted(literal, text, '"');
    } else {
        literal = "concat(";
        for (bool first = true; !text.empty(); first = false) {
            const bool quotes = text[0] == '\'';
            std::size_t run = quotes ? text.find_first_not_of('\'') : text.find('\'');
            if (run == std::string_view::npos) run = text.size();
            if (!first) literal += ',';
            append_quoted(literal, text.substr(0, run), quotes ? '"' : '\'');
            text.remove_prefix(run);
        }
        literal += ')';
    }
    return literal;
}

// cssselect's XPathExpr: path + element + [condition].
struct Expr {
    std::string path;
    std::string element = "*";
    std::string condition;

    void add_condition(const std::string& more) {
        condition = condition.empty() ? more : "(" + condition + ") and (" + more + ")";
    }
    // Moves the element name into the condition, so the step can be `*` (for following-sibling
    // in `+`, and for :not()).
    void add_name_test() {
        if (element == "*") return;
        std::string test = "name() = ";
        test += xpath_literal(element);
        add_condition(test);
        element.assign(1, '*');
    }
    std::string str() const {
        return path + element + (condition.empty() ? "" : "[" + condition + "]");
    }
    void join(std::string_view combiner, const Expr& right) {
        path = str() + std::string(combiner) + right.path;
        element = right.element;
        condition = right.condition;
    }
};

struct PseudoElement {
    enum class Kind { none, text, attribute } kind = Kind::none;
    std::string attribute;  // for ::attr(NAME): the attribute step, "@name" or a name() test
    std::size_t position = 0;
};

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    std::string selector_list() {
        check_characters();
        std::string xpath;
        for (;;) {
            if (!xpath.empty()) xpath += " | ";
            xpath += complex_selector();
            if (at_end()) return xpath;
            ++pos_;  // the ','
        }
    }

  private:
    [[noreturn]] void fail(const std::string& what, std::size_t at) const {
        std::string got = "the end";
        if (at < text_.size()) {
            got.clear();
            append_quoted(got, printable(text_.substr(at, 1)), '\'');
        }
        std::string message = "invalid CSS selector ";
        append_quoted(message, printable(text_), '"');
        message += " at position " + std::to_string(at) + ": " + what + ", got " + got;
        throw InvalidSelector(message, at);
    }

    // Control characters and bytes of malformed UTF-8 as \xNN: the message goes to a terminal.
    static std::string printable(std::string_view text) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out;
        for (std::size_t at = 0; at < text.size();) {
            const auto [code_point, length] = decode_utf8(text.substr(at));
            if (length != 0 && code_point >= 0x20 && code_point != 0x7F &&
                !(code_point >= 0x80 && code_point < 0xA0)) {
                out.append(text.substr(at, length));
                at += length;
            } else {
                const auto byte = static_cast<unsigned char>(text[at++]);
                out += "\\x";
                out += hex[byte >> 4];
                out += hex[byte & 0xF];
            }
        }
        return out;
    }
    [[noreturn]] void fail_here(const std::string& what) const { fail(what, pos_); }

    // Control characters and malformed UTF-8 can be in no selector, nor in the XPath made of it.
    void check_characters() const {
        for (std::size_t at = 0; at < text_.size();) {
            const auto [code_point, length] = decode_utf8(text_.substr(at));
            if (length == 0) fail("malformed UTF-8", at);
            if (!is_xml_char(code_point) && code_point != '\f') fail("a control character", at);
            at += length;
        }
    }

    bool at_end() const noexcept { return pos_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const noexcept {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    bool accept(char c) {
        if (at_end() || text_[pos_] != c) return false;
        ++pos_;
        return true;
    }
    void expect(char c, const char* what) {
        if (!accept(c)) fail_here(what);
    }
    bool skip_whitespace() {
        const std::size_t start = pos_;
        while (!at_end() && is_whitespace(text_[pos_])) ++pos_;
        return pos_ != start;
    }

    bool valid_escape_at(std::size_t at) const noexcept {
        return at + 1 < text_.size() && text_[at] == '\\' && text_[at + 1] != '\n' &&
               text_[at + 1] != '\r' && text_[at + 1] != '\f';
    }
    bool starts_name_at(std::size_t at) const noexcept {
        return at < text_.size() && (is_name_start(text_[at]) || valid_escape_at(at));
    }
    bool starts_identifier() const noexcept {
        if (peek() == '-') return peek(1) == '-' || starts_name_at(pos_ + 1);
        return starts_name_at(pos_);
    }

    // After a backslash: a hex code point (up to 6 digits, one whitespace after) or the character.
    void escape(std::string& out) {
        ++pos_;
        if (!is_hex_digit(peek())) {
            out += text_[pos_++];
            return;
        }
        std::uint32_t code_point = 0;
        for (int digits = 0; digits < 6 && is_hex_digit(peek()); ++digits) {
            const char c = text_[pos_++];
            code_point = code_point * 16 + static_cast<std::uint32_t>(is_digit(c) ? c - '0'
                                                                      : c >= 'a'  ? c - 'a' + 10
                                                                                  : c - 'A' + 10);
        }
        if (peek() == '\r' && peek(1) == '\n') ++pos_;
        if (is_whitespace(peek())) ++pos_;
        append_utf8(out, code_point);
    }

    // The name characters from here (an ID's may start with a digit); escapes decoded.
    std::string name() {
        std::string out;
        while (!at_end()) {
            if (is_name_char(peek())) {
                out += text_[pos_++];
            } else if (valid_escape_at(pos_)) {
                escape(out);
            } else {
                break;
            }
        }
        return out;
    }

    std::string identifier(const char* what) {
        if (!starts_identifier()) fail_here(what);
        return name();
    }

    std::string string_literal() {
        const char quote = text_[pos_];
        const std::size_t start = pos_++;
        std::string out;
        for (;;) {
            if (at_end()) fail("unterminated string", start);
            const char c = text_[pos_];
            if (c == quote) {
                ++pos_;
                return out;
            }
            if (c == '\n' || c == '\r' || c == '\f') fail_here("a newline inside a string");
            if (c != '\\') {
                out += c;
                ++pos_;
            } else if (pos_ + 1 >= text_.size()) {
                fail("unterminated string", start);
            } else if (text_[pos_ + 1] == '\n' || text_[pos_ + 1] == '\f') {
                pos_ += 2;  // an escaped newline continues the string
            } else {
                escape(out);
            }
        }
    }

    void no_namespace() {
        if (peek() == '|' && peek(1) != '=') fail_here("namespaces are not supported");
    }

    std::string complex_selector() {
        skip_whitespace();
        PseudoElement pseudo;
        Expr xpath = compound(false, &pseudo);
        for (;;) {
            const bool spaced = skip_whitespace();
            if (at_end() || peek() == ',') break;
            char combinator = ' ';
            if (peek() == '>' || peek() == '+' || peek() == '~') {
                combinator = text_[pos_++];
                skip_whitespace();
            } else if (!spaced) {
                fail_here("expected a combinator, ',' or the end");
            }
            if (pseudo.kind != PseudoElement::Kind::none) {
                fail("a pseudo-element must end the selector", pseudo.position);
            }
            const Expr right = compound(false, &pseudo);
            switch (combinator) {
                case ' ':
                    xpath.join("/descendant-or-self::*/", right);
                    break;
                case '>':
                    xpath.join("/", right);
                    break;
                case '+':
                    xpath.join("/following-sibling::", right);
                    xpath.add_name_test();
                    xpath.add_condition("position() = 1");
                    break;
                default:  // '~'
                    xpath.join("/following-sibling::", right);
                    break;
            }
        }
        return "descendant-or-self::" + with_pseudo_element(xpath.str(), pseudo);
    }

    // parsel's XPathExpr.__str__ for ::text and ::attr(), quirks included ("div ::text" takes
    // the text children of div too).
    static std::string with_pseudo_element(std::string path, const PseudoElement& pseudo) {
        switch (pseudo.kind) {
            case PseudoElement::Kind::none:
                return path;
            case PseudoElement::Kind::text:
                if (path == "*") return "text()";
                if (path.ends_with("::*/*")) return path.substr(0, path.size() - 3) + "text()";
                return path + "/text()";
            case PseudoElement::Kind::attribute:
                if (path.ends_with("::*/*")) path.resize(path.size() - 2);
                return path + "/" + pseudo.attribute;
        }
        return path;
    }

    Expr compound(bool inside_not, PseudoElement* pseudo) {
        const std::size_t start = pos_;
        Expr xpath;
        if (accept('*')) {
            no_namespace();
        } else if (starts_identifier()) {
            const std::string element = ascii_lower(name());
            no_namespace();
            xpath.element = element;
            if (!is_safe_name(element)) xpath.add_name_test();
        } else {
            no_namespace();
        }
        for (;;) {
            const std::size_t here = pos_;
            if (accept('#')) {
                const std::string id = name();
                if (id.empty()) fail_here("expected an id after '#'");
                xpath.add_condition("@id = " + xpath_literal(id));
            } else if (accept('.')) {
                includes(xpath, "@class", identifier("expected a class name after '.'"));
            } else if (accept('[')) {
                attribute(xpath);
            } else if (peek() == ':' && peek(1) == ':') {
                if (inside_not || !pseudo) fail_here("a pseudo-element inside :not()");
                pos_ += 2;
                pseudo_element(*pseudo, here);
                if (peek() == '#' || peek() == '.' || peek() == '[' || peek() == ':') {
                    fail("a pseudo-element must end the selector", here);
                }
                break;
            } else if (accept(':')) {
                pseudo_class(xpath, inside_not, here);
            } else {
                break;
            }
        }
        if (pos_ == start) fail_here("expected a selector");
        return xpath;
    }

    // [a~=v] and .class: v is one of the whitespace-separated tokens.
    static void includes(Expr& xpath, const std::string& name, const std::string& value) {
        if (value.empty() || value.find_first_of(" \t\r\n\f") != std::string::npos) {
            xpath.add_condition("0");  // cssselect: never matches
            return;
        }
        xpath.add_condition(name + " and contains(concat(' ', normalize-space(" + name +
                            "), ' '), " + xpath_literal(" " + value + " ") + ")");
    }

    void attribute(Expr& xpath) {
        skip_whitespace();
        const std::string attribute_name =
            ascii_lower(identifier("expected an attribute name after '['"));
        no_namespace();
        const std::string name =
            is_safe_name(attribute_name)
                ? "@" + attribute_name
                : "attribute::*[name() = " + xpath_literal(attribute_name) + "]";
        skip_whitespace();
        if (accept(']')) {
            xpath.add_condition(name);
            return;
        }
        std::string op;
        if (peek() == '=') {
            op = "=";
        } else if ((peek() == '~' || peek() == '|' || peek() == '^' || peek() == '$' ||
                    peek() == '*') &&
                   peek(1) == '=') {
            op = std::string(1, peek()) + "=";
        } else {
            fail_here("expected ']' or one of = ~= |= ^= $= *=");
        }
        pos_ += op.size();
        skip_whitespace();
        std::string value;
        if (peek() == '"' || peek() == '\'') {
            value = string_literal();
        } else {
            value = identifier("expected an identifier or a quoted string as the value");
        }
        skip_whitespace();
        expect(']', "expected ']'");

        const std::string literal = xpath_literal(value);
        if (op == "=") {
            xpath.add_condition(name + " = " + literal);
        } else if (op == "~=") {
            includes(xpath, name, value);
        } else if (op == "|=") {
            xpath.add_condition(name + " and (" + name + " = " + literal + " or starts-with(" +
                                name + ", " + xpath_literal(value + "-") + "))");
        } else if (value.empty()) {
            xpath.add_condition("0");  // ^= $= *= with "" never match
        } else if (op == "^=") {
            xpath.add_condition(name + " and starts-with(" + name + ", " + literal + ")");
        } else if (op == "$=") {
            xpath.add_condition(name + " and substring(" + name + ", string-length(" + name + ")-" +
                                std::to_string(value.size() - 1) + ") = " + literal);
        } else {  // *=
            xpath.add_condition(name + " and contains(" + name + ", " + literal + ")");
        }
    }

    void pseudo_element(PseudoElement& pseudo, std::size_t start) {
        const std::string name = ascii_lower(identifier("expected a pseudo-element name"));
        pseudo.position = start;
        if (name == "text" && peek() != '(') {
            pseudo.kind = PseudoElement::Kind::text;
            return;
        }
        if (name == "attr" && accept('(')) {
            skip_whitespace();
            std::string attribute;
            const std::size_t argument = pos_;
            if (peek() == '"' || peek() == '\'') {
                attribute = string_literal();
            } else {
                attribute = identifier("expected an attribute name in ::attr()");
            }
            skip_whitespace();
            expect(')', "expected ')' after the attribute name");
            if (attribute.empty()) fail("expected an attribute name in ::attr()", argument);
            pseudo.kind = PseudoElement::Kind::attribute;
            pseudo.attribute = is_safe_name(attribute)
                                   ? "@" + attribute
                                   : "attribute::*[name() = " + xpath_literal(attribute) + "]";
            return;
        }
        fail("unsupported pseudo-element ::" + name + " (supported: ::text, ::attr(NAME))", start);
    }

    void pseudo_class(Expr& xpath, bool inside_not, std::size_t start) {
        const std::string name = ascii_lower(identifier("expected a pseudo-class name after ':'"));
        if (accept('(')) {
            functional_pseudo_class(xpath, name, inside_not, start);
            return;
        }
        const auto of_type = [&]() -> const std::string& {
            if (xpath.element == "*") fail("*:" + name + " needs an element name", start);
            return xpath.element;
        };
        if (name == "first-child") {
            xpath.add_condition("count(preceding-sibling::*) = 0");
        } else if (name == "last-child") {
            xpath.add_condition("count(following-sibling::*) = 0");
        } else if (name == "only-child") {
            xpath.add_condition("count(parent::*/child::*) = 1");
        } else if (name == "first-of-type") {
            xpath.add_condition("count(preceding-sibling::" + of_type() + ") = 0");
        } else if (name == "last-of-type") {
            xpath.add_condition("count(following-sibling::" + of_type() + ") = 0");
        } else if (name == "only-of-type") {
            xpath.add_condition("count(parent::*/child::" + of_type() + ") = 1");
        } else if (name == "empty") {
            xpath.add_condition("not(*) and not(string-length())");
        } else if (name == "root") {
            xpath.add_condition("not(parent::*)");
        } else {
            fail("unsupported pseudo-class :" + name, start);
        }
    }

    void functional_pseudo_class(Expr& xpath, const std::string& name, bool inside_not,
                                 std::size_t start) {
        skip_whitespace();
        if (name == "not") {
            if (inside_not) fail(":not() inside :not()", start);
            Expr inner = compound(true, nullptr);
            skip_whitespace();
            expect(')', "expected ')' to close :not(");
            inner.add_name_test();
            xpath.add_condition(inner.condition.empty() ? "0" : "not(" + inner.condition + ")");
            return;
        }
        const bool last = name == "nth-last-child" || name == "nth-last-of-type";
        const bool of_type = name == "nth-of-type" || name == "nth-last-of-type";
        if (!last && !of_type && name != "nth-child") {
            fail("unsupported pseudo-class :" + name + "()", start);
        }
        const auto [a, b] = series();
        if (of_type && xpath.element == "*") fail("*:" + name + "() needs an element name", start);
        nth(xpath, a, b, last, of_type ? xpath.element : "*");
    }

    // an+b, odd or even, up to the closing ')'.
    std::pair<long, long> series() {
        const std::size_t start = pos_;
        const auto bad = [&] { fail("expected an+b, odd or even", start); };
        const auto number = [&]() -> long {
            if (!is_digit(peek())) bad();
            long value = 0;
            while (is_digit(peek())) {
                if (value > 100'000'000) fail("number too large", start);
                value = value * 10 + (text_[pos_++] - '0');
            }
            return value;
        };
        std::pair<long, long> result;
        if (starts_identifier() && !(peek() == '-' || peek() == 'n' || peek() == 'N')) {
            const std::string word = ascii_lower(name());
            if (word == "odd") {
                result = {2, 1};
            } else if (word == "even") {
                result = {2, 0};
            } else {
                bad();
            }
        } else {
            long sign = 1;
            if (accept('-')) {
                sign = -1;
            } else {
                accept('+');
            }
            const bool has_digits = is_digit(peek());
            const long count = has_digits ? number() : 1;
            if (accept('n') || accept('N')) {
                result.first = sign * count;
                skip_whitespace();
                if (peek() == '+' || peek() == '-') {
                    const long b_sign = text_[pos_++] == '-' ? -1 : 1;
                    skip_whitespace();
                    result.second = b_sign * number();
                }
            } else {
                if (!has_digits) bad();
                result = {0, sign * count};
            }
        }
        skip_whitespace();
        if (!accept(')')) bad();
        return result;
    }

    // cssselect 1.2's xpath_nth_child_function: count the siblings before (or after) and solve
    // count = a*n + b - 1 for some n >= 0.
    static void nth(Expr& xpath, long a, long b, bool last, const std::string& node_test) {
        const long b_min_1 = b - 1;
        if (a == 1 && b_min_1 <= 0) return;  // every element matches
        if (a < 0 && b_min_1 < 0) {
            xpath.add_condition("0");  // none does
            return;
        }
        const std::string siblings =
            std::string(last ? "count(following-sibling::" : "count(preceding-sibling::") +
            node_test + ")";
        if (a == 0) {
            xpath.add_condition(siblings + " = " + std::to_string(b_min_1));
            return;
        }
        std::vector<std::string> expressions;
        if (a > 0) {
            if (b_min_1 > 0) expressions.push_back(siblings + " >= " + std::to_string(b_min_1));
        } else {
            expressions.push_back(siblings + " <= " + std::to_string(b_min_1));
        }
        if (a != 1 && a != -1) {
            std::string left = siblings;
            const long modulus = std::labs(a);
            const long b_neg = ((-b_min_1) % modulus + modulus) % modulus;
            if (b_neg != 0) left = "(" + left + " +" + std::to_string(b_neg) + ")";
            expressions.push_back(left + " mod " + std::to_string(a) + " = 0");
        }
        std::string condition;
        for (const auto& expression : expressions) {
            if (!condition.empty()) condition += " and ";
            condition += expressions.size() > 1 ? "(" + expression + ")" : expression;
        }
        xpath.add_condition(condition);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string css_to_xpath(std::string_view selector) {
    return Parser(selector).selector_list();
}

}  // namespace corocrawl
