// An in-memory stand-in for a non-blocking socket, for the client connection's unit tests:
// reads hand out a script of server bytes at most `read_size` at a time (would_block when the
// script is exhausted, eof once `eof` is set), writes accept up to `write_capacity` bytes before
// would_block, and async_wait parks the handler until the test calls complete_wait().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/error_code.hpp>

namespace fleetsim::test {

class ScriptedStream {
 public:
  std::vector<std::uint8_t> script;  // bytes the peer sends
  std::size_t read_pos = 0;
  std::size_t read_size = std::numeric_limits<std::size_t>::max();
  bool eof = false;

  std::vector<std::uint8_t> written;  // bytes the client wrote
  std::size_t write_capacity = std::numeric_limits<std::size_t>::max();
  bool fail_writes = false;
  bool closed = false;

  std::function<void(const boost::system::error_code&)> pending_wait;
  boost::asio::socket_base::wait_type waited_for = boost::asio::socket_base::wait_read;

  template <class MutableBuffer>
  std::size_t read_some(const MutableBuffer& buffer, boost::system::error_code& ec) {
    ec = {};
    if (read_pos == script.size()) {
      if (eof) {
        ec = boost::asio::error::eof;
      } else {
        ec = boost::asio::error::would_block;
      }
      return 0;
    }
    const std::size_t n = std::min({buffer.size(), read_size, script.size() - read_pos});
    std::copy_n(script.begin() + static_cast<std::ptrdiff_t>(read_pos), n,
                static_cast<std::uint8_t*>(buffer.data()));
    read_pos += n;
    return n;
  }

  template <class ConstBuffer>
  std::size_t write_some(const ConstBuffer& buffer, boost::system::error_code& ec) {
    ec = {};
    if (fail_writes) {
      ec = boost::asio::error::broken_pipe;
      return 0;
    }
    const std::size_t n = std::min(buffer.size(), write_capacity);
    if (n == 0) {
      ec = boost::asio::error::would_block;
      return 0;
    }
    const auto* p = static_cast<const std::uint8_t*>(buffer.data());
    written.insert(written.end(), p, p + n);
    write_capacity -= n;
    return n;
  }

  template <class Handler>
  void async_wait(boost::asio::socket_base::wait_type type, Handler&& handler) {
    waited_for = type;
    pending_wait = std::forward<Handler>(handler);
  }

  // Runs the parked handler once.
  void complete_wait(const boost::system::error_code& ec = {}) {
    auto handler = std::move(pending_wait);
    pending_wait = nullptr;
    handler(ec);
  }

  void close(boost::system::error_code& ec) {
    ec = {};
    closed = true;
  }
};

}  // namespace fleetsim::test
