#include "runtime/loader/BtfExt.h"

#include "runtime/loader/Bytes.h"

#include <fmt/format.h>

namespace ebpfc::runtime {

namespace {

constexpr uint16_t kBtfMagic = 0xeb9f;
constexpr uint32_t kMinHeaderSize = 24;  // through line_info_len
constexpr uint32_t kCoreHeaderSize = 32; // through core_relo_len

enum class InfoKind { Func, Line, Core };

std::string_view infoName(InfoKind kind) {
  switch (kind) {
  case InfoKind::Func: return "func_info";
  case InfoKind::Line: return "line_info";
  case InfoKind::Core: return "CO-RE relocation";
  }
  return "";
}

uint32_t minimumRecordSize(InfoKind kind) { return kind == InfoKind::Func ? 8 : 16; }

} // namespace

Expected<BtfExt> BtfExt::parse(std::span<const uint8_t> bytes, const Btf &btf,
                               const std::string &file) {
  auto fail = [&](const std::string &what) {
    return errorIn(file, "malformed .BTF.ext: " + what + "; the object is corrupt, recompile it");
  };
  if (bytes.size() < 8)
    return fail(fmt::format("the section has {} bytes, less than a header", bytes.size()));
  if (readLe16(bytes, 0) != kBtfMagic)
    return fail(fmt::format("bad magic {:#06x} (expected {:#06x})", readLe16(bytes, 0), kBtfMagic));
  if (bytes[2] != 1)
    return fail(fmt::format("unsupported version {} (expected 1)", bytes[2]));
  uint32_t headerLength = readLe32(bytes, 4);
  if (headerLength < kMinHeaderSize || headerLength > bytes.size())
    return fail(fmt::format("header length {} is outside {}..{} (the section size)", headerLength,
                            kMinHeaderSize, bytes.size()));
  std::span<const uint8_t> body = bytes.subspan(headerLength);

  BtfExt ext;
  auto parseInfo = [&](InfoKind kind, uint32_t offset, uint32_t length) -> Expected<void> {
    if (length == 0)
      return {};
    if (!rangeFits(offset, length, body.size()))
      return fail(fmt::format("header says {} takes {} bytes at offset {}, but only {} bytes "
                              "follow the header",
                              infoName(kind), length, offset, body.size()));
    if (offset % 4 != 0 || length < 4)
      return fail(fmt::format("{} at offset {} with length {} is misaligned or too short",
                              infoName(kind), offset, length));
    std::span<const uint8_t> info = body.subspan(offset, length);
    uint32_t recordSize = readLe32(info, 0);
    if (recordSize < minimumRecordSize(kind) || recordSize % 4 != 0)
      return fail(fmt::format("{} record size {} is invalid (at least {}, a multiple of 4)",
                              infoName(kind), recordSize, minimumRecordSize(kind)));
    size_t at = 4;
    while (at < info.size()) {
      if (!rangeFits(at, 8, info.size()))
        return fail(fmt::format("{} block at offset {} is cut off", infoName(kind), at));
      uint32_t nameOff = readLe32(info, at);
      uint32_t count = readLe32(info, at + 4);
      at += 8;
      auto sectionName = btf.stringAt(nameOff);
      if (!sectionName || sectionName->empty())
        return fail(fmt::format("{} block names its ELF section with string offset {:#x}, which "
                                "is not a string of .BTF",
                                infoName(kind), nameOff));
      if (count == 0)
        return fail(
            fmt::format("{} block for section '{}' has no records", infoName(kind), *sectionName));
      if (!rangeFits(at, static_cast<uint64_t>(count) * recordSize, info.size()))
        return fail(fmt::format("{} block for section '{}' claims {} records of {} bytes, more "
                                "than the {} bytes left",
                                infoName(kind), *sectionName, count, recordSize, info.size() - at));
      BtfExtSection &section = ext.sectionNamed(*sectionName);
      for (uint32_t i = 0; i < count; ++i, at += recordSize) {
        switch (kind) {
        case InfoKind::Func: {
          BtfFuncRecord record{readLe32(info, at), readLe32(info, at + 4)};
          if (record.typeId >= btf.typeCount() || btf.type(record.typeId).kind != BtfKind::Func)
            return fail(fmt::format("func_info for {}+{:#x} refers to type [{}], which is not a "
                                    "FUNC",
                                    *sectionName, record.insnOffset, record.typeId));
          section.funcs.push_back(record);
          break;
        }
        case InfoKind::Line: {
          BtfLineRecord record;
          record.insnOffset = readLe32(info, at);
          record.fileNameOff = readLe32(info, at + 4);
          record.lineOff = readLe32(info, at + 8);
          uint32_t lineColumn = readLe32(info, at + 12);
          record.line = lineColumn >> 10;
          record.column = lineColumn & 0x3ff;
          if (!btf.stringAt(record.fileNameOff) || !btf.stringAt(record.lineOff))
            return fail(fmt::format("line_info for {}+{:#x} has a file or source string offset "
                                    "outside the .BTF strings",
                                    *sectionName, record.insnOffset));
          section.lines.push_back(record);
          break;
        }
        case InfoKind::Core: ++section.coreRelocations; break;
        }
      }
    }
    return {};
  };

  if (auto ok = parseInfo(InfoKind::Func, readLe32(bytes, 8), readLe32(bytes, 12)); !ok)
    return ok.takeError();
  if (auto ok = parseInfo(InfoKind::Line, readLe32(bytes, 16), readLe32(bytes, 20)); !ok)
    return ok.takeError();
  if (headerLength >= kCoreHeaderSize)
    if (auto ok = parseInfo(InfoKind::Core, readLe32(bytes, 24), readLe32(bytes, 28)); !ok)
      return ok.takeError();
  return ext;
}

BtfExtSection &BtfExt::sectionNamed(std::string_view name) {
  for (BtfExtSection &section : sections_)
    if (section.name == name)
      return section;
  sections_.push_back(BtfExtSection{std::string(name), {}, {}, 0});
  return sections_.back();
}

const BtfExtSection *BtfExt::section(std::string_view name) const {
  for (const BtfExtSection &section : sections_)
    if (section.name == name)
      return &section;
  return nullptr;
}

uint32_t BtfExt::coreRelocationCount() const {
  uint32_t count = 0;
  for (const BtfExtSection &section : sections_)
    count += section.coreRelocations;
  return count;
}

} // namespace ebpfc::runtime
