// A child process for integration tests: spawn with stdout/stderr captured through pipes, read
// lines with a deadline, wait with a deadline (killed past it). POSIX only.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim::test {

class Process {
 public:
  explicit Process(const std::vector<std::string>& argv) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      close(out[0]);
      close(err[0]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~Process() {
    if (pid_ > 0 && !exit_code_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Next line of stdout (without '\n'), or nullopt at EOF or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = out_.find('\n'); nl != std::string::npos) {
        std::string line = out_.substr(0, nl);
        consumed_out_ += out_.substr(0, nl + 1);
        out_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !pump(static_cast<int>(left.count()))) return std::nullopt;
    }
  }

  // Waits for exit, collecting all output; kills the process after `timeout`. Returns the exit
  // code (128 + signal when killed by one).
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_out_ || !eof_err_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        kill(pid_, SIGKILL);
        break;
      }
      pump(static_cast<int>(left.count()));
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *exit_code_;
  }

  void signal(int sig) { kill(pid_, sig); }

  std::string stdout_text() const { return consumed_out_ + out_; }
  const std::string& stderr_text() const { return err_; }

 private:
  // Reads what is available on either pipe within timeout_ms; false when both are at EOF or
  // nothing arrived in time.
  bool pump(int timeout_ms) {
    pollfd fds[2] = {{eof_out_ ? -1 : out_fd_, POLLIN, 0}, {eof_err_ ? -1 : err_fd_, POLLIN, 0}};
    if (eof_out_ && eof_err_) return false;
    if (poll(fds, 2, timeout_ms) <= 0) return false;
    char buf[4096];
    if (fds[0].revents) {
      const ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n > 0) out_.append(buf, static_cast<std::size_t>(n)); else eof_out_ = true;
    }
    if (fds[1].revents) {
      const ssize_t n = read(err_fd_, buf, sizeof buf);
      if (n > 0) err_.append(buf, static_cast<std::size_t>(n)); else eof_err_ = true;
    }
    return true;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  bool eof_out_ = false, eof_err_ = false;
  std::string out_, consumed_out_, err_;
  std::optional<int> exit_code_;
};

}  // namespace fleetsim::test
