#include "hub/query/run.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <boost/json/serialize.hpp>

#include "hub/query/continuation.hpp"
#include "hub/query/evaluate.hpp"

namespace fleetsim::hub::query {

namespace json = boost::json;

namespace {

// Integers below 2^53 are exact in a double: one spelling for 3, 3.0 and 3e0 as group keys.
constexpr double exact_integer_limit = 9007199254740992.0;

// Appends a canonical spelling of `value` to `key`: equal values spell the same, different
// values differently; the separator never occurs inside (JSON escapes control characters).
void append_group_key(std::string& key, const json::value* value) {
  if (value == nullptr) {
    key += 'u';
  } else if (value->is_number()) {
    const double d = Value::of(value).number;
    char digits[32];
    const auto result =
        std::trunc(d) == d && std::fabs(d) < exact_integer_limit
            ? std::to_chars(std::begin(digits), std::end(digits), static_cast<std::int64_t>(d))
            : std::to_chars(std::begin(digits), std::end(digits), d);
    key += 'n';
    key.append(digits, result.ptr);
  } else {
    key += 'v';
    key += json::serialize(*value);
  }
  key += '\x1f';
}

// The row key of a twin ("{deviceId}" or "{deviceId}/{moduleId}"); false if the view lacks it.
bool identity_key(std::string& key, const json::object& twin, Collection collection) {
  const json::value* device = twin.if_contains("deviceId");
  if (device == nullptr || !device->is_string() || device->get_string().empty()) return false;
  key.assign(device->get_string().data(), device->get_string().size());
  if (collection == Collection::modules) {
    const json::value* module = twin.if_contains("moduleId");
    if (module == nullptr || !module->is_string() || module->get_string().empty()) return false;
    key += '/';
    key.append(module->get_string().data(), module->get_string().size());
  }
  return true;
}

}  // namespace

std::variant<QueryRun, QueryError> QueryRun::start(const Query& query, const PageRequest& request) {
  Continuation continuation;
  if (!request.continuation.empty()) {
    auto decoded = decode_continuation(request.continuation);
    const bool valid = decoded && decoded->fingerprint == query.fingerprint && decoded->returned > 0 &&
                       (!query.top || decoded->returned < *query.top);
    if (!valid) {
      return QueryError{QueryErrorKind::invalid_continuation, 0,
                        "Invalid continuation token: it was not issued for this query"};
    }
    continuation = std::move(*decoded);
  }
  return QueryRun(query, std::max<std::size_t>(request.max_item_count, 1), continuation.returned,
                  std::move(continuation.last_key));
}

QueryRun::QueryRun(const Query& query, std::size_t page_size, std::uint64_t returned, std::string resume)
    : query_(&query), page_limit_(page_size), returned_(returned), resume_(std::move(resume)) {
  if (query.top)
    page_limit_ = static_cast<std::size_t>(std::min<std::uint64_t>(page_size, *query.top - returned));
  done_ = page_limit_ == 0;
  if (!query.aggregated) return;
  for (const SelectItem& item : query.items) {
    std::size_t g = 0;
    if (item.aggregate == Aggregate::none) {
      const Path& path = query.expressions.paths[item.path];
      while (g < query.group_by.size() && !(query.expressions.paths[query.group_by[g]] == path)) ++g;
    }
    item_group_.push_back(g);
  }
  // Without GROUP BY everything is one group, which exists even when nothing matches: COUNT() = 0.
  if (query.group_by.empty()) {
    Group& all = groups_[std::string()];
    all.accumulators.resize(query.items.size());
  }
}

bool QueryRun::offer(const json::object& twin) {
  if (!query_->aggregated) return offer_row(twin);
  if (matches(*query_, twin)) offer_to_group(twin);
  return true;
}

bool QueryRun::offer_row(const json::object& twin) {
  if (done_) return false;
  if (!identity_key(key_scratch_, twin, query_->collection)) return true;
  if (!resume_.empty() && key_scratch_ <= resume_) return true;
  if (!matches(*query_, twin)) return true;
  if (page_.items.size() >= page_limit_) {
    more_ = true;
    done_ = true;
    return false;
  }
  if (query_->select_all) {
    page_.items.emplace_back(twin);
  } else {
    json::object row;
    for (const SelectItem& item : query_->items) {
      if (const json::value* value = lookup(twin, query_->expressions.paths[item.path]))
        row[item.name] = *value;
    }
    page_.items.emplace_back(std::move(row));
  }
  last_key_ = key_scratch_;
  if (query_->top && returned_ + page_.items.size() >= *query_->top) done_ = true;
  return !done_;
}

void QueryRun::offer_to_group(const json::object& twin) {
  key_scratch_.clear();
  for (const std::uint32_t path : query_->group_by) {
    append_group_key(key_scratch_, lookup(twin, query_->expressions.paths[path]));
  }
  auto it = groups_.find(key_scratch_);
  if (it == groups_.end()) {
    Group group;
    for (const std::uint32_t path : query_->group_by) {
      const json::value* value = lookup(twin, query_->expressions.paths[path]);
      group.defined.push_back(value != nullptr);
      group.keys.push_back(value != nullptr ? *value : json::value());
    }
    group.accumulators.resize(query_->items.size());
    it = groups_.emplace(key_scratch_, std::move(group)).first;
  }
  for (std::size_t i = 0; i < query_->items.size(); ++i) {
    accumulate(it->second.accumulators[i], query_->items[i], twin);
  }
}

void QueryRun::accumulate(Accumulator& acc, const SelectItem& item, const json::object& twin) const {
  if (item.aggregate == Aggregate::none) return;
  if (item.aggregate == Aggregate::count) {
    ++acc.count;
    return;
  }
  // SUM, AVG, MIN and MAX take the numbers among the values and ignore the rest (hub choice).
  const json::value* value = lookup(twin, query_->expressions.paths[item.path]);
  if (value == nullptr || !value->is_number()) return;
  const double d = Value::of(value).number;
  ++acc.count;
  switch (item.aggregate) {
    case Aggregate::sum:
    case Aggregate::avg:
      acc.sum += d;
      if (acc.integers_only) {
        if (!value->is_int64() ||
            __builtin_add_overflow(acc.integer_sum, value->get_int64(), &acc.integer_sum)) {
          acc.integers_only = false;
        }
      }
      break;
    case Aggregate::min:
    case Aggregate::max: {
      const bool better =
          acc.best.is_null() || (item.aggregate == Aggregate::min ? d < Value::of(&acc.best).number
                                                                  : d > Value::of(&acc.best).number);
      if (better) acc.best = *value;
      break;
    }
    default:
      break;
  }
}

json::object QueryRun::group_row(const Group& group) const {
  json::object row;
  for (std::size_t i = 0; i < query_->items.size(); ++i) {
    const SelectItem& item = query_->items[i];
    const Accumulator& acc = group.accumulators[i];
    switch (item.aggregate) {
      case Aggregate::none:
        // A group whose path is undefined shows no such column, only its aggregates.
        if (group.defined[item_group_[i]]) row[item.name] = group.keys[item_group_[i]];
        break;
      case Aggregate::count:
        row[item.name] = acc.count;
        break;
      case Aggregate::sum:
        if (acc.integers_only) {
          row[item.name] = acc.integer_sum;
        } else {
          row[item.name] = acc.sum;
        }
        break;
      case Aggregate::avg:
        if (acc.count > 0) row[item.name] = acc.sum / static_cast<double>(acc.count);
        break;
      case Aggregate::min:
      case Aggregate::max:
        if (!acc.best.is_null()) row[item.name] = acc.best;
        break;
    }
  }
  return row;
}

void QueryRun::finish_groups() {
  auto it = resume_.empty() ? groups_.begin() : groups_.upper_bound(resume_);
  for (; it != groups_.end() && page_.items.size() < page_limit_; ++it) {
    page_.items.emplace_back(group_row(it->second));
    last_key_ = it->first;
  }
  more_ = it != groups_.end() && (!query_->top || returned_ + page_.items.size() < *query_->top);
}

Page QueryRun::finish() {
  if (query_->aggregated) finish_groups();
  if (more_) {
    page_.continuation =
        encode_continuation({query_->fingerprint, returned_ + page_.items.size(), last_key_});
  }
  page_.item_type = query_->select_all ? "twin" : "raw";
  return std::move(page_);
}

}  // namespace fleetsim::hub::query
