// The libxml2 boundary: every libxml2 object we own lives in one of these RAII types, and the
// per-thread error handlers are swapped only through ScopedErrorHandler. No other file calls
// xmlFree, xmlFreeDoc or any other libxml2 release function.
#pragma once

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include <memory>
#include <mutex>
#include <string>

namespace corocrawl::libxml {

struct DocumentDeleter {
    void operator()(xmlDoc* document) const noexcept { xmlFreeDoc(document); }
};
using Document = std::unique_ptr<xmlDoc, DocumentDeleter>;

struct ParserContextDeleter {
    void operator()(htmlParserCtxt* context) const noexcept { htmlFreeParserCtxt(context); }
};
using ParserContext = std::unique_ptr<htmlParserCtxt, ParserContextDeleter>;

struct XPathContextDeleter {
    void operator()(xmlXPathContext* context) const noexcept { xmlXPathFreeContext(context); }
};
using XPathContext = std::unique_ptr<xmlXPathContext, XPathContextDeleter>;

struct XPathObjectDeleter {
    void operator()(xmlXPathObject* object) const noexcept { xmlXPathFreeObject(object); }
};
using XPathObject = std::unique_ptr<xmlXPathObject, XPathObjectDeleter>;

struct CompiledExpressionDeleter {
    void operator()(xmlXPathCompExpr* expression) const noexcept {
        xmlXPathFreeCompExpr(expression);
    }
};
using CompiledExpression = std::unique_ptr<xmlXPathCompExpr, CompiledExpressionDeleter>;

// An XML (not HTML) parser context: sitemaps, read through SAX callbacks, in bounded memory.
struct XmlParserContextDeleter {
    void operator()(xmlParserCtxt* context) const noexcept {
        // A SAX parse still gets a document when the DTD declares entities (libxml2 keeps them
        // there); the context does not free it.
        if (context != nullptr && context->myDoc != nullptr) xmlFreeDoc(context->myDoc);
        xmlFreeParserCtxt(context);
    }
};
using XmlParserContext = std::unique_ptr<xmlParserCtxt, XmlParserContextDeleter>;

// Strings libxml2 allocates and hands over (xmlNodeGetContent, xmlXPathCastNumberToString).
struct StringDeleter {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
using String = std::unique_ptr<xmlChar, StringDeleter>;

// xmlFindCharEncodingHandler allocates iconv-backed handlers; closing a built-in one is a no-op.
struct EncodingHandlerDeleter {
    void operator()(xmlCharEncodingHandler* handler) const noexcept {
        xmlCharEncCloseFunc(handler);
    }
};
using EncodingHandler = std::unique_ptr<xmlCharEncodingHandler, EncodingHandlerDeleter>;

// Copies an owned libxml2 string into a std::string ("" for null) and releases it.
inline std::string to_string(String text) {
    return text ? std::string(reinterpret_cast<const char*>(text.get())) : std::string();
}

inline const xmlChar* to_xml_chars(const std::string& text) noexcept {
    return reinterpret_cast<const xmlChar*>(text.c_str());
}

// xmlInitParser is not safe to run twice concurrently, so every entry point goes through here.
inline void initialise_once() {
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
}

// Whether libxml2 (built-in tables or iconv) can decode this encoding name.
inline bool supports_encoding(const std::string& name) {
    return EncodingHandler(xmlFindCharEncodingHandler(name.c_str())) != nullptr;
}

// While alive, libxml2 reports on this thread go nowhere near stderr: they are dropped, or the
// last message is kept in `last_message` (trailing newline removed, XPath offset added).
// libxml2 2.9 keeps its error handlers in per-thread globals, so installing them per scope is both
// necessary (a worker thread starts with the printing defaults) and sufficient; the previous ones
// are restored.
class ScopedErrorHandler {
  public:
    explicit ScopedErrorHandler(std::string* last_message = nullptr) noexcept
        : last_message_(last_message),
          previous_generic_(xmlGenericError),
          previous_generic_context_(xmlGenericErrorContext),
          previous_structured_(xmlStructuredError),
          previous_structured_context_(xmlStructuredErrorContext) {
        // Some XPath evaluation failures go only through the generic (printf-style) channel.
        xmlSetGenericErrorFunc(nullptr, &ignore_generic);
        xmlSetStructuredErrorFunc(this, &record_structured);
    }
    ~ScopedErrorHandler() {
        xmlSetGenericErrorFunc(previous_generic_context_, previous_generic_);
        xmlSetStructuredErrorFunc(previous_structured_context_, previous_structured_);
    }
    ScopedErrorHandler(const ScopedErrorHandler&) = delete;
    ScopedErrorHandler& operator=(const ScopedErrorHandler&) = delete;

  private:
    static void ignore_generic(void*, const char*, ...) {}

    static void record_structured(void* self, xmlErrorPtr error) {
        auto* handler = static_cast<ScopedErrorHandler*>(self);
        if (handler->last_message_ == nullptr || error == nullptr || error->message == nullptr) {
            return;
        }
        try {  // called from C: nothing may propagate
            std::string message = error->message;
            while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
                message.pop_back();
            }
            if (error->domain == XML_FROM_XPATH && error->str1 != nullptr) {
                // str1 is the expression and int1 where the XPath parser stopped in it.
                message += " at offset " + std::to_string(error->int1);
            }
            *handler->last_message_ = std::move(message);
        } catch (...) {
        }
    }

    std::string* last_message_;
    xmlGenericErrorFunc previous_generic_;
    void* previous_generic_context_;
    xmlStructuredErrorFunc previous_structured_;
    void* previous_structured_context_;
};

}  // namespace corocrawl::libxml
