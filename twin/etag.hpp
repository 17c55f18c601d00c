// Twin etags: opaque to clients, renewed on every change (reference 4.3).
#pragma once

#include <cstdint>
#include <string>

namespace fleetsim::twin::detail {

// Writes base64 of the counter's eight big-endian bytes into `out`, the shape of the hub's
// examples ("AAAAAAAAAAc=" for 7). Twelve characters fit std::string's inline buffer, so
// renewing an etag allocates nothing.
void write_etag(std::string& out, std::uint64_t counter);

}  // namespace fleetsim::twin::detail
