// The WebSocket opening handshake (RFC 6455 section 4), sans-I/O: the client's upgrade request,
// the check of the server's answer, the server's 101 answer, and the helpers a server's HTTP
// router needs to recognise an upgrade and pick the subprotocol.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fleetsim::transports::ws {

// Bytes of an HTTP head (request or status line plus headers) we read before giving up.
inline constexpr std::size_t kMaxHandshakeHead = 8 * 1024;

// Sec-WebSocket-Key: base64 of 16 bytes (a nonce, not a secret).
std::string client_key(std::span<const std::uint8_t, 16> nonce);
// Sec-WebSocket-Accept: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string accept_key(std::string_view client_key);

std::string client_upgrade_request(std::string_view host, std::string_view path, std::string_view subprotocol,
                                   std::string_view key);
// "HTTP/1.1 101 Switching Protocols" with the accept key, and Sec-WebSocket-Protocol when
// `subprotocol` is not empty (IoT Hub clients abort without it, reference 8.3).
std::string server_upgrade_response(std::string_view client_key, std::string_view subprotocol);

// Offset just past the "\r\n\r\n" ending an HTTP head in `bytes`, or 0 when it has not arrived.
std::size_t head_end(std::string_view bytes) noexcept;

// Why a client refused the server's answer to its upgrade request.
enum class Refusal : std::uint8_t {
  none,
  malformed_response,  // not an HTTP/1.1 status line and headers
  not_switching,       // a status other than 101 (see ResponseCheck::status)
  missing_upgrade,     // no "Upgrade: websocket" / "Connection: Upgrade"
  wrong_accept_key,
  wrong_subprotocol,       // not the one asked for (or one that was not asked for)
  unexpected_extension,    // an extension we did not offer
  response_too_large,      // no end of head within kMaxHandshakeHead bytes
  closed_before_response,  // the connection ended before a whole head arrived
};
std::string_view describe(Refusal refusal) noexcept;

struct ResponseCheck {
  Refusal refusal = Refusal::none;
  std::uint16_t status = 0;  // the HTTP status when the status line parsed
};
// `head` is a whole response head (up to and including the blank line).
ResponseCheck check_upgrade_response(std::string_view head, std::string_view client_key,
                                     std::string_view subprotocol);

// ---- server side (the HTTP router owns the request parsing) ----

// True when the comma-separated header `list` holds `token`, compared without regard to case.
bool has_token(std::string_view list, std::string_view token) noexcept;
// A GET with "Upgrade: websocket", "Connection: Upgrade", version 13 and a 16-byte key.
bool is_upgrade_request(std::string_view method, std::string_view upgrade, std::string_view connection,
                        std::string_view version, std::string_view key);
// The offered subprotocol matching `wanted` without regard to case, as the client spelled it
// (the C SDK sends "MQTT"; the answer echoes it, reference 2.1), or nullopt.
std::optional<std::string_view> pick_subprotocol(std::string_view offered, std::string_view wanted) noexcept;

}  // namespace fleetsim::transports::ws
