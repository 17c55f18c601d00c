#include "transports/stream/websocket_handshake.hpp"

#include <openssl/evp.h>

#include "transports/iothub/ascii.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::transports::ws {
namespace {

using iothub::detail::iequals_ascii;

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Calls on_token for every element of a comma-separated header value until it returns true.
template <class OnToken>
bool any_token(std::string_view list, OnToken on_token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view token = trim(list.substr(0, comma));
    if (!token.empty() && on_token(token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

struct ResponseHeaders {
  std::string_view upgrade, connection, accept, protocol, extensions;
};

// Status line "HTTP/1.x NNN reason" and "name: value" lines; false on anything else.
bool parse_response(std::string_view head, std::uint16_t& status, ResponseHeaders& headers) {
  std::size_t end = head.find("\r\n");
  if (end == std::string_view::npos) return false;
  const std::string_view status_line = head.substr(0, end);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !is_digit(status_line[9]) || !is_digit(status_line[10]) || !is_digit(status_line[11]) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return false;
  }
  status = static_cast<std::uint16_t>((status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 +
                                      (status_line[11] - '0'));
  std::size_t pos = end + 2;
  for (;;) {
    end = head.find("\r\n", pos);
    if (end == std::string_view::npos) return false;
    const std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) return true;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals_ascii(name, "Upgrade")) {
      headers.upgrade = value;
    } else if (iequals_ascii(name, "Connection")) {
      headers.connection = value;
    } else if (iequals_ascii(name, "Sec-WebSocket-Accept")) {
      headers.accept = value;
    } else if (iequals_ascii(name, "Sec-WebSocket-Protocol")) {
      headers.protocol = value;
    } else if (iequals_ascii(name, "Sec-WebSocket-Extensions")) {
      headers.extensions = value;
    }
  }
}

}  // namespace

std::string client_key(std::span<const std::uint8_t, 16> nonce) {
  return iothub::base64_encode(nonce);
}

std::string accept_key(std::string_view client_key) {
  std::string input;
  input.reserve(client_key.size() + kAcceptGuid.size());
  input.append(client_key).append(kAcceptGuid);
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr);
  return iothub::base64_encode(std::span<const std::uint8_t>(digest, length));
}

std::string client_upgrade_request(std::string_view host, std::string_view path, std::string_view subprotocol,
                                   std::string_view key) {
  std::string request;
  request.reserve(160 + host.size() + path.size() + subprotocol.size());
  request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(key);
  request.append("\r\nSec-WebSocket-Version: 13\r\n");
  if (!subprotocol.empty()) request.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
  request.append("\r\n");
  return request;
}

std::string server_upgrade_response(std::string_view client_key, std::string_view subprotocol) {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
      "Upgrade\r\nSec-WebSocket-Accept: ";
  response.append(accept_key(client_key)).append("\r\n");
  if (!subprotocol.empty()) response.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
  response.append("\r\n");
  return response;
}

std::size_t head_end(std::string_view bytes) noexcept {
  const std::size_t at = bytes.find("\r\n\r\n");
  return at == std::string_view::npos ? 0 : at + 4;
}

std::string_view describe(Refusal refusal) noexcept {
  switch (refusal) {
    case Refusal::none:
      return "accepted";
    case Refusal::malformed_response:
      return "the answer is not an HTTP/1.1 response";
    case Refusal::not_switching:
      return "the server did not answer 101 Switching Protocols";
    case Refusal::missing_upgrade:
      return "the answer lacks 'Upgrade: websocket' or 'Connection: Upgrade'";
    case Refusal::wrong_accept_key:
      return "wrong Sec-WebSocket-Accept";
    case Refusal::wrong_subprotocol:
      return "the server did not agree to the subprotocol (Sec-WebSocket-Protocol)";
    case Refusal::unexpected_extension:
      return "the server chose an extension that was not offered";
    case Refusal::response_too_large:
      return "the answer's head exceeds 8 KB";
    case Refusal::closed_before_response:
      return "the connection closed before the server answered the upgrade";
  }
  return "unknown refusal";
}

ResponseCheck check_upgrade_response(std::string_view head, std::string_view client_key,
                                     std::string_view subprotocol) {
  ResponseCheck check;
  ResponseHeaders headers;
  if (!parse_response(head, check.status, headers)) {
    check.refusal = Refusal::malformed_response;
  } else if (check.status != 101) {
    check.refusal = Refusal::not_switching;
  } else if (!has_token(headers.upgrade, "websocket") || !has_token(headers.connection, "upgrade")) {
    check.refusal = Refusal::missing_upgrade;
  } else if (headers.accept != accept_key(client_key)) {
    check.refusal = Refusal::wrong_accept_key;
  } else if (subprotocol.empty() ? !headers.protocol.empty()
                                 : !iequals_ascii(headers.protocol, subprotocol)) {
    check.refusal = Refusal::wrong_subprotocol;
  } else if (!headers.extensions.empty()) {
    check.refusal = Refusal::unexpected_extension;
  }
  return check;
}

bool has_token(std::string_view list, std::string_view token) noexcept {
  return any_token(list, [token](std::string_view t) { return iequals_ascii(t, token); });
}

bool is_upgrade_request(std::string_view method, std::string_view upgrade, std::string_view connection,
                        std::string_view version, std::string_view key) {
  if (method != "GET" || !has_token(upgrade, "websocket") || !has_token(connection, "upgrade") ||
      trim(version) != "13") {
    return false;
  }
  // A 16-byte nonce in base64 is 24 characters ending in "==".
  key = trim(key);
  if (key.size() != 24 || key.substr(22) != "==") return false;
  const auto decoded = iothub::base64_decode(key);
  return decoded && decoded->size() == 16;
}

std::optional<std::string_view> pick_subprotocol(std::string_view offered, std::string_view wanted) noexcept {
  std::optional<std::string_view> chosen;
  any_token(offered, [&](std::string_view t) {
    if (!iequals_ascii(t, wanted)) return false;
    chosen = t;
    return true;
  });
  return chosen;
}

}  // namespace fleetsim::transports::ws
