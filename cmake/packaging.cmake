# The man page, the shell completions and the Debian package (`make deb`).
#
# The man page and the completions are written by the built binary itself from the option table
# --help prints (`corocrawl help-format man|bash|zsh FILE`, a hidden subcommand), so a flag added
# to the table is in all three the next time the binary is built, and tests/manual_test.cpp fails
# the suite if one is missing.

set(COROCRAWL_MAN_PAGE ${PROJECT_BINARY_DIR}/man/corocrawl.1)
set(COROCRAWL_BASH_COMPLETION ${PROJECT_BINARY_DIR}/completions/corocrawl.bash)
set(COROCRAWL_ZSH_COMPLETION ${PROJECT_BINARY_DIR}/completions/_corocrawl)
set(COROCRAWL_CHANGELOG ${PROJECT_BINARY_DIR}/doc/changelog)

find_program(GZIP_PROGRAM gzip REQUIRED)
configure_file(${PROJECT_SOURCE_DIR}/cmake/changelog.in ${COROCRAWL_CHANGELOG} @ONLY)

add_custom_command(
    OUTPUT ${COROCRAWL_MAN_PAGE} ${COROCRAWL_MAN_PAGE}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND corocrawl_cli help-format man ${COROCRAWL_MAN_PAGE}
    # -n: no name or time stamp inside, so the same page gives the same bytes.
    COMMAND ${GZIP_PROGRAM} -9nkf ${COROCRAWL_MAN_PAGE}
    DEPENDS corocrawl_cli
    COMMENT "Writing the man page from the option table"
    VERBATIM)
add_custom_command(
    OUTPUT ${COROCRAWL_BASH_COMPLETION} ${COROCRAWL_ZSH_COMPLETION}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/completions
    COMMAND corocrawl_cli help-format bash ${COROCRAWL_BASH_COMPLETION}
    COMMAND corocrawl_cli help-format zsh ${COROCRAWL_ZSH_COMPLETION}
    DEPENDS corocrawl_cli
    COMMENT "Writing the bash and zsh completions from the option table"
    VERBATIM)
add_custom_command(
    OUTPUT ${COROCRAWL_CHANGELOG}.gz
    COMMAND ${GZIP_PROGRAM} -9nkf ${COROCRAWL_CHANGELOG}
    DEPENDS ${COROCRAWL_CHANGELOG}
    VERBATIM)
add_custom_target(corocrawl_manual ALL
    DEPENDS ${COROCRAWL_MAN_PAGE}.gz ${COROCRAWL_BASH_COMPLETION} ${COROCRAWL_ZSH_COMPLETION}
            ${COROCRAWL_CHANGELOG}.gz)

# ---- install: beside the binary and the library (CMakeLists.txt) --------------------------------
install(FILES ${COROCRAWL_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${COROCRAWL_BASH_COMPLETION}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME corocrawl)
install(FILES ${COROCRAWL_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${COROCRAWL_CHANGELOG}.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian's name for the licence file.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)

# ---- the Debian package: build/corocrawl_VERSION_amd64.deb -------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME corocrawl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the corocrawl authors")
set(CPACK_PACKAGE_CONTACT "The corocrawl authors <corocrawl@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fast asynchronous web crawler with XPath and CSS extraction")
# One string (several would be a CMake list, joined by ';'); CPack indents it for the control file.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
    "corocrawl fetches URLs (arguments, a file or stdin) concurrently, runs"
    "XPath expressions and CSS selectors on each page as it completes, and"
    "prints the results as text, JSON Lines or CSV, or records every exchange"
    "as WARC. One flag switches how it waits: C++20 coroutines, a pool of"
    "threads, or one request after another."
    ""
    "The package holds the corocrawl command (with its bundled test server"
    "and benchmark), its man page, bash and zsh completions, and the static"
    "library with its headers and CMake package (find_package(corocrawl)).")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # corocrawl_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the shared libraries the binary links (dpkg-shlibdeps), never written by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
