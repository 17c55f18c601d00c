// Builders of the IoT Hub topics of reference 2.5.
#include <charconv>

#include "transports/iothub/topics.hpp"

namespace fleetsim::iothub {
namespace {

template <class Int>
void append_number(std::string& out, Int value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void append_rid_query(std::string& out, std::string_view rid) {
  out += "/?$rid=";
  out += rid;
}

}  // namespace

void append_telemetry_topic(std::string& out, std::string_view device, std::string_view module,
                            std::string_view bag) {
  out += "devices/";
  out += device;
  if (!module.empty()) {
    out += "/modules/";
    out += module;
  }
  out += "/messages/events/";
  out += bag;
}

void append_twin_get_topic(std::string& out, std::string_view rid) {
  out += "$iothub/twin/GET";
  append_rid_query(out, rid);
}

void append_reported_patch_topic(std::string& out, std::string_view rid) {
  out += "$iothub/twin/PATCH/properties/reported";
  append_rid_query(out, rid);
}

void append_method_response_topic(std::string& out, int status, std::string_view rid) {
  out += "$iothub/methods/res/";
  append_number(out, status);
  append_rid_query(out, rid);
}

void append_twin_response_topic(std::string& out, int status, std::string_view rid,
                                std::optional<std::uint64_t> version) {
  out += "$iothub/twin/res/";
  append_number(out, status);
  append_rid_query(out, rid);
  if (version) {
    out += "&$version=";
    append_number(out, *version);
  }
}

void append_desired_patch_topic(std::string& out, std::uint64_t version) {
  out += "$iothub/twin/PATCH/properties/desired/?$version=";
  append_number(out, version);
}

void append_method_request_topic(std::string& out, std::string_view method, std::string_view rid) {
  out += "$iothub/methods/POST/";
  out += method;
  append_rid_query(out, rid);
}

void append_c2d_topic(std::string& out, std::string_view device, std::string_view bag) {
  out += "devices/";
  out += device;
  out += "/messages/devicebound/";
  out += bag;
}

void append_module_input_topic(std::string& out, std::string_view device, std::string_view module,
                               std::string_view input, std::string_view bag) {
  out += "devices/";
  out += device;
  out += "/modules/";
  out += module;
  out += "/inputs/";
  out += input;
  out += '/';
  out += bag;
}

void append_c2d_filter(std::string& out, std::string_view device) {
  out += "devices/";
  out += device;
  out += "/messages/devicebound/#";
}

void append_module_input_filter(std::string& out, std::string_view device, std::string_view module) {
  out += "devices/";
  out += device;
  out += "/modules/";
  out += module;
  out += "/inputs/#";
}

}  // namespace fleetsim::iothub
