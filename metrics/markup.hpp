// Escaping text for XML and HTML (the JUnit and HTML reports): scenario and gate names are
// user text and may hold any character.
#pragma once

#include <string>
#include <string_view>

namespace fleetsim::metrics {

// & < > " ' as entities (safe in element text and in quoted attributes of XML and HTML), and
// control characters XML 1.0 forbids (all below 0x20 except tab, newline and carriage return)
// as U+FFFD, since no escape can carry them.
std::string markup_escape(std::string_view text);

}  // namespace fleetsim::metrics
