// The .BTF.ext section: per-ELF-section function info and line info (and the
// count of CO-RE relocations, which the runtime does not apply). Offsets are
// bytes within the ELF section, as compilers write them; the program linker
// turns them into instruction indexes of the linked program.
#pragma once

#include "runtime/loader/Btf.h"
#include "runtime/loader/Expected.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime {

struct BtfFuncRecord {
  uint32_t insnOffset = 0; // bytes from the start of the ELF section
  uint32_t typeId = 0;     // a FUNC of the object's BTF
};

struct BtfLineRecord {
  uint32_t insnOffset = 0;  // bytes from the start of the ELF section
  uint32_t fileNameOff = 0; // BTF string offsets, validated
  uint32_t lineOff = 0;
  uint32_t line = 0;
  uint32_t column = 0;
};

struct BtfExtSection {
  std::string name; // the ELF section the records describe
  std::vector<BtfFuncRecord> funcs;
  std::vector<BtfLineRecord> lines;
  uint32_t coreRelocations = 0;
};

class BtfExt {
public:
  static Expected<BtfExt> parse(std::span<const uint8_t> bytes, const Btf &btf,
                                const std::string &file);

  const BtfExtSection *section(std::string_view name) const;
  const std::vector<BtfExtSection> &sections() const { return sections_; }
  uint32_t coreRelocationCount() const;

private:
  BtfExtSection &sectionNamed(std::string_view name);

  std::vector<BtfExtSection> sections_;
};

} // namespace ebpfc::runtime
