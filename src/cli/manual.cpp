#include "cli/manual.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/help_format.hpp"
#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"

namespace corocrawl::cli {
namespace {

// ---- the option table, as all three outputs read it ------------------------------------------

std::vector<const CLI::App*> shown_subcommands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<std::string> names_of(const CLI::Option* option) {
    std::vector<std::string> names;
    for (const auto& name : option->get_snames()) names.push_back("-" + name);
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    return names;
}

std::vector<const CLI::Option*> flags_of(const CLI::App& app) {
    std::vector<const CLI::Option*> flags;
    for (const CLI::Option* option : shown_options(app))
        if (option->nonpositional()) flags.push_back(option);
    return flags;
}

std::vector<const CLI::Option*> positionals_of(const CLI::App& app) {
    std::vector<const CLI::Option*> positionals;
    for (const CLI::Option* option : shown_options(app))
        if (!option->nonpositional()) positionals.push_back(option);
    return positionals;
}

bool repeatable(const CLI::Option* option) {
    return option->get_expected_max() == CLI::detail::expected_max_vector_size;
}

// A value that names a file: its placeholder says so (FILE, FILE.svg, STRING|@FILE, ...).
bool wants_file(const CLI::Option* option) {
    return takes_value(option) && placeholder(option).find("FILE") != std::string::npos;
}

// The default --help shows in brackets, "" when it shows none.
std::string shown_default(const CLI::Option* option) {
    if (!takes_value(option)) return {};
    std::string text = option->get_default_str();
    return text == "[]" ? std::string() : text;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : std::string(separator)) + word;
    return text;
}

// ---- roff --------------------------------------------------------------------------------------

// Text as roff prints it: backslashes and hyphens escaped, no line taken for a request.
std::string roff(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (const char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        line_start = c == '\n';
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
    }
    return out;
}

std::string_view error_kind_meaning(ErrorKind kind) {
    switch (kind) {  // every kind: a new one without a line here is a -Wswitch warning
        case ErrorKind::invalid_url:
            return "the input line is not a URL";
        case ErrorKind::unsupported_scheme:
            return "a URL, but not http or https";
        case ErrorKind::dns:
            return "the host name did not resolve";
        case ErrorKind::connect:
            return "the TCP connection failed (refused, unreachable)";
        case ErrorKind::tls:
            return "the TLS handshake or the certificate verification failed";
        case ErrorKind::timeout:
            return "--connect-timeout or --timeout passed";
        case ErrorKind::http_status:
            return "the final response was not 2xx";
        case ErrorKind::too_many_redirects:
            return "more than --max-redirects redirects, or a loop";
        case ErrorKind::body_too_large:
            return "the (decoded) body is larger than --max-body";
        case ErrorKind::protocol:
            return "the peer did not speak valid HTTP/1.1";
        case ErrorKind::decode:
            return "a corrupt gzip, deflate, br or zstd body";
        case ErrorKind::proxy:
            return "the proxy could not be reached or refused the request";
        case ErrorKind::robots:
            return "robots.txt disallows it, or could not be fetched (it was not fetched)";
        case ErrorKind::worker_lost:
            return "--frontier: its lease expired --lease-attempts times (its workers died or hung)";
        case ErrorKind::cancelled:
            return "interrupted (SIGINT, SIGTERM) before it finished";
    }
    return {};
}

constexpr const char* examples[][2] = {
    {"The seed's lesson: three pages that each answer after 2 s, fetched at once (about 2 s in "
     "all); start the bundled server first with corocrawl serve:",
     "corocrawl crawl http://127.0.0.1:5000/bobo http://127.0.0.1:5000/jay "
     "http://127.0.0.1:5000/tom \\\n    -x '//a[@id=\"feng\"]/@href'"},
    {"The same one after another, and on a pool of threads:",
     "corocrawl crawl -m sync http://127.0.0.1:5000/bobo http://127.0.0.1:5000/jay\n"
     "corocrawl crawl -m pool -t 8 -i urls.txt -x '//title/text()'"},
    {"CSS selectors and named fields, one JSON object per page:",
     "corocrawl crawl http://127.0.0.1:5000/page/3 -s 'title=title::text' \\\n"
     "    -x 'links=//a[@class=\"next\"]/@href' --first -f jsonl"},
    {"A list from stdin, links made absolute, each prefixed with its page:",
     "cat urls.txt | corocrawl crawl -i - -x '//a/@href' --absolute --with-url"},
    {"Every exchange, redirects included, as WARC:",
     "corocrawl crawl http://127.0.0.1:5000/redirect/1 --warc crawl.warc.gz -q\n"
     "zcat crawl.warc.gz | grep -a -e '^WARC-Type' -e '^WARC-Target-URI'"},
    {"One list split over three machines, a host in one of them, and the records made one file:",
     "corocrawl crawl --shard 0/3 -i urls.txt -f jsonl -o shard-0.jsonl   # on machine 0\n"
     "corocrawl crawl --shard 1/3 -i urls.txt -f jsonl -o shard-1.jsonl   # on machine 1\n"
     "corocrawl crawl --shard 2/3 -i urls.txt -f jsonl -o shard-2.jsonl   # on machine 2\n"
     "corocrawl merge shard-0.jsonl shard-1.jsonl shard-2.jsonl -o all.jsonl"},
    {"The three ways to wait compared, and 999 URLs where only async is run:",
     "corocrawl bench\ncorocrawl bench --n 999"},
};

void write_option(std::ostream& out, const CLI::Option* option) {
    out << ".TP\n";
    const auto names = names_of(option);
    for (std::size_t i = 0; i < names.size(); ++i)
        out << (i ? ", " : "") << "\\fB" << roff(names[i]) << "\\fR";
    if (takes_value(option)) {
        out << " \\fI" << roff(placeholder(option)) << "\\fR";
        if (repeatable(option)) out << " ...";
    }
    out << '\n' << roff(option->get_description()) << '\n';
    if (const auto text = shown_default(option); !text.empty())
        out << ".br\nDefault: " << roff(text) << ".\n";
}

std::string synopsis(const CLI::App& sub) {
    std::string text = "[\\fIoptions\\fR]";
    for (const CLI::Option* positional : positionals_of(sub))
        text += " [\\fI" + roff(placeholder(positional)) + "\\fR...]";
    return text;
}

// ---- shell words
// ---------------------------------------------------------------------------------

// A word inside single quotes.
std::string single_quoted(std::string_view text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// An identifier from a subcommand name (help-format: help_format).
std::string identifier(std::string name) {
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

}  // namespace

void write_man_page(std::ostream& out, const CLI::App& app) {
    const std::string name = app.get_name();
    const auto subcommands = shown_subcommands(app);
    out << ".\\\" Generated by `" << name
        << " help-format man` from the option table --help prints.\n"
        << ".TH COROCRAWL 1 \"\" \"" << name << ' ' << version() << "\" \"User Commands\"\n"
        << ".SH NAME\n"
        << name << " \\- " << roff("a fast asynchronous web crawler with XPath and CSS extraction")
        << '\n'
        << ".SH SYNOPSIS\n";
    for (const CLI::App* sub : subcommands)
        out << ".B " << name << ' ' << roff(sub->get_name()) << "\n" << synopsis(*sub) << "\n.br\n";
    out << ".B " << name << " \\-\\-version\n"
        << ".SH DESCRIPTION\n"
        << roff(
               "corocrawl fetches URLs (arguments, a file or stdin) concurrently, runs XPath "
               "expressions and CSS selectors on each page as it completes, and prints the "
               "results as text, JSON Lines or CSV; it can also record every exchange as WARC. "
               "One flag, -m, switches how it waits: async (C++20 coroutines on Boost.Asio, "
               "thousands of requests in flight on one thread), pool (a fixed pool of threads "
               "doing blocking requests) or sync (one request after another).")
        << "\n.PP\n"
        << roff(
               "corocrawl serve runs the bundled HTTP test server; corocrawl bench crawls the "
               "same URLs in each mode and compares what each cost; corocrawl state shows what "
               "a crawl's --state DIR holds; corocrawl merge makes the record files of several "
               "crawls (the shards of one list, crawl --shard I/N) one record per URL.")
        << "\n.SH OPTIONS\n";
    for (const CLI::Option* option : flags_of(app)) write_option(out, option);

    for (const CLI::App* sub : subcommands) {
        out << ".SH \"" << roff(name + " " + sub->get_name()) << "\"\n"
            << ".B " << name << ' ' << roff(sub->get_name()) << "\n"
            << synopsis(*sub) << "\n.PP\n"
            << roff(sub->get_description()) << ".\n";
        for (const CLI::Option* positional : positionals_of(*sub)) {
            out << ".TP\n\\fI" << roff(placeholder(positional)) << "\\fR ...\n"
                << roff(positional->get_description()) << '\n';
        }
        out << ".SS Options\n";
        for (const CLI::Option* option : flags_of(*sub)) write_option(out, option);
        if (!sub->get_footer().empty())
            out << ".SS Notes\n.nf\n" << roff(sub->get_footer()) << "\n.fi\n";
    }

    out << ".SH \"EXIT STATUS\"\n"
        << roff("Of crawl:") << '\n'
        << ".TP\n0\n"
        << roff("every URL ok") << '\n'
        << ".TP\n1\n"
        << roff("at least one URL failed (any error kind below), or the WARC output stopped")
        << '\n'
        << ".TP\n2\n"
        << roff(
               "usage error: a bad flag, an invalid XPath or CSS selector, unreadable input; "
               "found before any request")
        << '\n'
        << ".TP\n130\n"
        << roff(
               "interrupted (SIGINT or SIGTERM), after a cancelled record for every URL not "
               "finished and the summary (with --state, no cancelled records: those URLs wait "
               "in DIR for the next run); a second signal quits at once")
        << "\n.PP\n"
        << roff(
               "serve exits 0 when stopped by SIGINT or SIGTERM and 1 when it cannot listen; "
               "bench exits 0, 1 when a run failed, 2 on a usage error and 130 when interrupted; "
               "merge exits 0, 1 when a line was not a record (each named on stderr as "
               "FILE:LINE) or the output could not be written, and 2 on a usage error (a FILE "
               "that cannot be read, files of two formats).")
        << '\n'
        << ".SH \"ERROR KINDS\"\n"
        << roff(
               "A failed record carries one of these kinds: in jsonl as error.kind, in text and "
               "csv on stderr as \"corocrawl: KIND: URL: MESSAGE\".")
        << '\n';
    // Every kind, in the enum's order (cancelled is the last one).
    for (int k = 0; k <= static_cast<int>(ErrorKind::cancelled); ++k) {
        const auto kind = static_cast<ErrorKind>(k);
        out << ".TP\n\\fB" << roff(to_string(kind)) << "\\fR\n"
            << roff(error_kind_meaning(kind)) << '\n';
    }
    out << ".SH ENVIRONMENT\n"
        << ".TP\n\\fBhttp_proxy\\fR\n"
        << roff(
               "The HTTP proxy for http URLs, as curl reads it (lower case only), unless "
               "--proxy is given.")
        << "\n.TP\n\\fBhttps_proxy\\fR, \\fBHTTPS_PROXY\\fR\n"
        << roff("The proxy for https URLs (a CONNECT tunnel).")
        << "\n.TP\n\\fBall_proxy\\fR, \\fBALL_PROXY\\fR\n"
        << roff("The proxy for either, when the one above is not set.")
        << "\n.TP\n\\fBno_proxy\\fR, \\fBNO_PROXY\\fR\n"
        << roff(
               "Hosts or domains reached without the proxy, comma-separated ('*': all), unless "
               "--noproxy is given.")
        << "\n.TP\n\\fBSSL_CERT_FILE\\fR, \\fBSSL_CERT_DIR\\fR\n"
        << roff("Where OpenSSL finds the trusted CA certificates, unless --cacert is given.")
        << "\n.SH FILES\n"
        << ".TP\n\\fI/etc/resolv.conf\\fR\n"
        << roff("The DNS servers c-ares asks, unless --dns-servers is given.")
        << "\n.TP\n\\fI/etc/ssl/certs/\\fR\n"
        << roff("The system's trusted CA certificates (OpenSSL's default paths).")
        << "\n.TP\n\\fI/usr/share/bash-completion/completions/corocrawl\\fR\n"
        << roff("The bash completion.")
        << "\n.TP\n\\fI/usr/share/zsh/vendor-completions/_corocrawl\\fR\n"
        << roff("The zsh completion.") << "\n.TP\n\\fI/usr/share/doc/corocrawl/README.md\\fR\n"
        << roff("The whole guide: every route of the test server, the benchmark, the library.")
        << "\n.SH EXAMPLES\n";
    for (const auto& [what, commands] : examples)
        out << ".PP\n" << roff(what) << "\n.PP\n.nf\n.RS 4\n" << roff(commands) << "\n.RE\n.fi\n";
    out << ".SH \"SEE ALSO\"\n"
        << ".BR curl (1),\n.BR wget (1),\n.BR xmllint (1)\n";
}

void write_bash_completion(std::ostream& out, const CLI::App& app) {
    const std::string name = app.get_name();
    const auto subcommands = shown_subcommands(app);
    std::vector<std::string> sub_names, top_flags;
    for (const CLI::App* sub : subcommands) sub_names.push_back(sub->get_name());
    for (const CLI::Option* option : flags_of(app))
        for (const auto& flag : names_of(option)) top_flags.push_back(flag);

    out << "# bash completion for " << name << ", generated by `" << name
        << " help-format bash` from the option table --help prints.\n"
        << "_" << identifier(name) << "() {\n"
        << "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
        << "    local command= flags= i\n"
        << "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        << "        case ${COMP_WORDS[i]} in\n"
        << "            " << join(sub_names, "|") << ") command=${COMP_WORDS[i]}; break ;;\n"
        << "        esac\n"
        << "    done\n"
        << "    case $command in\n";
    for (const CLI::App* sub : subcommands) {
        std::vector<std::string> flags;
        out << "        " << sub->get_name() << ")\n"
            << "            case $prev in\n";
        for (const CLI::Option* option : flags_of(*sub)) {
            const auto names = names_of(option);
            flags.insert(flags.end(), names.begin(), names.end());
            if (!takes_value(option)) continue;
            out << "                " << join(names, "|") << ")\n";
            if (const auto choices = choices_of(option); !choices.empty()) {
                out << "                    COMPREPLY=($(compgen -W "
                    << single_quoted(join(choices, " ")) << " -- \"$cur\")); return ;;\n";
            } else if (wants_file(option)) {
                out << "                    compopt -o filenames 2>/dev/null\n"
                    << "                    COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
            } else {  // a value of its own: nothing to offer
                out << "                    COMPREPLY=(); return ;;  # " << placeholder(option)
                    << "\n";
            }
        }
        out << "            esac\n"
            << "            flags=" << single_quoted(join(flags, " ")) << " ;;\n";
    }
    out << "        *)\n"
        << "            if [[ $cur == -* ]]; then\n"
        << "                COMPREPLY=($(compgen -W " << single_quoted(join(top_flags, " "))
        << " -- \"$cur\"))\n"
        << "            else\n"
        << "                COMPREPLY=($(compgen -W " << single_quoted(join(sub_names, " "))
        << " -- \"$cur\"))\n"
        << "            fi\n"
        << "            return ;;\n"
        << "    esac\n"
        << "    if [[ $cur == -* ]]; then\n"
        << "        COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
        << "    else\n"
        << "        COMPREPLY=()\n"
        << "    fi\n"
        << "}\n"
        << "complete -F _" << identifier(name) << ' ' << name << '\n';
}

namespace {

// The [description] of an _arguments spec: brackets escaped.
std::string zsh_description(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// The message of an _arguments value: the placeholder, colons escaped, quotes dropped.
std::string zsh_message(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\'') continue;
        if (c == ':' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string zsh_spec(const CLI::Option* option) {
    const auto names = names_of(option);
    std::string prefix;
    if (repeatable(option)) {
        prefix = "*";
    } else if (names.size() > 1) {
        prefix = "(" + join(names, " ") + ")";
    }
    std::string spec_names = names.size() > 1 ? "{" + join(names, ",") + "}" : names.front();
    std::string rest = "[" + zsh_description(option->get_description()) + "]";
    if (takes_value(option)) {
        std::string action = " ";
        if (const auto choices = choices_of(option); !choices.empty()) {
            action = "(" + join(choices, " ") + ")";
        } else if (wants_file(option)) {
            action = "_files";
        } else if (placeholder(option) == "URL") {
            action = "_urls";
        }
        rest += ":" + zsh_message(placeholder(option)) + ":" + action;
    }
    // 'PREFIX'{-f,--format}'[...]:...' : brace expansion outside the quotes.
    return (prefix.empty() ? "" : single_quoted(prefix)) + spec_names + single_quoted(rest);
}

}  // namespace

void write_zsh_completion(std::ostream& out, const CLI::App& app) {
    const std::string name = app.get_name();
    const std::string function = "_" + identifier(name);
    const auto subcommands = shown_subcommands(app);
    out << "#compdef " << name << "\n"
        << "# zsh completion for " << name << ", generated by `" << name
        << " help-format zsh` from the option table --help prints.\n\n";
    for (const CLI::App* sub : subcommands) {
        out << function << '_' << identifier(sub->get_name()) << "() {\n"
            << "    _arguments -s -S \\\n";
        for (const CLI::Option* option : flags_of(*sub))
            out << "        " << zsh_spec(option) << " \\\n";
        for (const CLI::Option* positional : positionals_of(*sub)) {
            const std::string shown = placeholder(positional);
            out << "        "
                << single_quoted("*:" + zsh_message(shown) + ":" +
                                 (shown == "URL"    ? "_urls"
                                  : shown == "FILE" ? "_files"
                                                    : " "))
                << " \\\n";
        }
        out << "        && return 0\n"
            << "}\n\n";
    }
    out << function << "() {\n"
        << "    local curcontext=$curcontext state line\n"
        << "    typeset -A opt_args\n"
        << "    _arguments -C \\\n";
    for (const CLI::Option* option : flags_of(app)) {
        const auto names = names_of(option);
        const std::string spec_names =
            names.size() > 1 ? "{" + join(names, ",") + "}" : names.front();
        out << "        " << single_quoted("(- *)") << spec_names
            << single_quoted("[" + zsh_description(option->get_description()) + "]") << " \\\n";
    }
    out << "        '1:command:->command' \\\n"
        << "        '*::argument:->argument' && return 0\n"
        << "    case $state in\n"
        << "        command)\n"
        << "            local -a commands=(\n";
    for (const CLI::App* sub : subcommands)
        out << "                " << single_quoted(sub->get_name() + ":" + sub->get_description())
            << '\n';
    out << "            )\n"
        << "            _describe -t commands " << single_quoted(name + " command")
        << " commands ;;\n"
        << "        argument)\n"
        << "            curcontext=${curcontext%:*:*}:" << name << "-$words[1]:\n"
        << "            case $words[1] in\n";
    for (const CLI::App* sub : subcommands)
        out << "                " << sub->get_name() << ") " << function << '_'
            << identifier(sub->get_name()) << " ;;\n";
    out << "            esac ;;\n"
        << "    esac\n"
        << "}\n\n"
        << function << " \"$@\"\n";
}

void add_help_format_command(CLI::App& app, int& exit_status) {
    struct Settings {
        std::string format;
        std::string file;
    };
    auto settings = std::make_shared<Settings>();
    CLI::App* command = app.add_subcommand(
        "help-format", "Write the man page or a shell completion from the option table");
    command->group("");  // hidden: the build runs it, people read its output
    command->add_option("format", settings->format, "man, bash or zsh")
        ->required()
        ->check(CLI::IsMember({"man", "bash", "zsh"}));
    command->add_option("file", settings->file, "Write to FILE instead of stdout");
    command->callback([&app, settings, &exit_status] {
        std::ofstream file;
        if (!settings->file.empty()) {
            file.open(settings->file, std::ios::binary | std::ios::trunc);
            if (!file) {
                std::cerr << "corocrawl help-format: cannot write " << settings->file << '\n';
                exit_status = 1;
                return;
            }
        }
        std::ostream& out = settings->file.empty() ? std::cout : file;
        if (settings->format == "man") {
            write_man_page(out, app);
        } else if (settings->format == "bash") {
            write_bash_completion(out, app);
        } else {
            write_zsh_completion(out, app);
        }
        out.flush();
        exit_status = out ? 0 : 1;
    });
}

}  // namespace corocrawl::cli
