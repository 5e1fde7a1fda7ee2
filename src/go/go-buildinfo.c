/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Go build info from ELF executables. Written from the ELF structures of <elf.h> and from what Go's
 * linker writes (read in its source to learn the format):
 *   - a 32-byte header, 16-byte aligned, in the .go.buildinfo section (or, with no section headers,
 *     early in the writable data): the 14-byte magic "\xff Go buildinf:", the pointer size (4 or 8),
 *     a flags byte (bit 0: big endian, bit 1: the strings follow inline), then two pointers;
 *   - go1.18 and later (inline): after the header, two strings, each a uvarint length and its bytes:
 *     the Go version, then the module info;
 *   - before (pointers): the two pointers are virtual addresses of Go string headers { data, length },
 *     which point in turn at the bytes, so both are resolved through the program headers;
 *   - the module info is framed by two 16-byte sentinels and holds lines of tab-separated columns:
 *     "path", "mod", "dep", "=>" (a replacement of the module on the line before) and "build" KEY=VALUE
 *     with Go-quoted keys and values where they hold spaces or quotes.
 * Everything read is checked against the buffer: the file may be truncated, corrupt or hostile. */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fileio.h"
#include "go-buildinfo.h"
#include "hexdecoct.h"
#include "macro.h"
#include "utf8.h"

#define MAGIC "\xff Go buildinf:"
#define MAGIC_SIZE (sizeof(MAGIC) - 1)
#define HEADER_SIZE 32
#define HEADER_ALIGN 16
#define FLAG_BIG_ENDIAN 0x1
#define FLAG_INLINE 0x2
#define SENTINEL_SIZE 16

typedef struct Parser {
        const uint8_t *data;
        size_t size;
        bool is64;
        bool big_endian;
        /* The tables, checked to lie inside data once read from the ELF header. */
        uint64_t phoff, phnum, phentsize;
        uint64_t shoff, shnum, shentsize, shstrndx;
        char *reason;
} Parser;

typedef struct Segment {
        uint64_t type, flags, offset, vaddr, filesz;
} Segment;

typedef struct Section {
        uint64_t name, type, flags, addr, offset, size, link, info;
} Section;

/* A string inside data, not NUL-terminated. */
typedef struct Bytes {
        const uint8_t *p;
        size_t n;
} Bytes;

static uint64_t read_uint(const uint8_t *p, size_t n, bool big_endian) {
        uint64_t v = 0;

        for (size_t i = 0; i < n; i++)
                v = (v << 8) | p[big_endian ? i : n - 1 - i];
        return v;
}

/* One field of an ELF structure at base, whichever the class and byte order: <elf.h> gives each
 * field's place and width for both classes. */
#define ELF_FIELD(parser, base, type, field)                                                    \
        ((parser)->is64                                                                         \
         ? read_uint((base) + offsetof(Elf64_##type, field),                                    \
                     sizeof(((Elf64_##type *) NULL)->field), (parser)->big_endian)              \
         : read_uint((base) + offsetof(Elf32_##type, field),                                    \
                     sizeof(((Elf32_##type *) NULL)->field), (parser)->big_endian))

/* Records why the file is refused (the first reason only: it is the cause) and returns err. */
_printf_(3, 4)
static int fail(Parser *p, int err, const char *format, ...) {
        va_list ap;

        if (p->reason)
                return err;

        va_start(ap, format);
        if (vasprintf(&p->reason, format, ap) < 0)
                p->reason = NULL;
        va_end(ap);
        return err;
}

#define fail_bad(p, ...) fail((p), -EBADMSG, __VA_ARGS__)

/* Whether [offset, offset + length) lies inside the file. */
static bool in_file(const Parser *p, uint64_t offset, uint64_t length) {
        return offset <= p->size && length <= p->size - offset;
}

static int fail_truncated(Parser *p, const char *what, uint64_t offset, uint64_t length) {
        return fail_bad(p, "%s (offset 0x%llx, %llu bytes) ends past the end of the file (%zu bytes): "
                        "the file is truncated or corrupt", what, (unsigned long long) offset,
                        (unsigned long long) length, p->size);
}

/* Checks a table of count entries of entsize bytes at offset, each at least min_entsize. */
static int check_table(Parser *p, const char *what, uint64_t offset, uint64_t count, uint64_t entsize,
                       size_t min_entsize) {
        if (count == 0)
                return 0;
        if (entsize < min_entsize)
                return fail_bad(p, "%s entries are %llu bytes, fewer than the %zu of an ELF%s entry", what,
                                (unsigned long long) entsize, min_entsize, p->is64 ? "64" : "32");
        if (offset > p->size || count > (p->size - offset) / entsize)
                return fail_bad(p, "%s at offset 0x%llx (%llu entries) ends past the end of the file (%zu "
                                "bytes): the file is truncated or corrupt", what, (unsigned long long) offset,
                                (unsigned long long) count, p->size);
        return 0;
}

static void get_section(const Parser *p, uint64_t i, Section *ret) {
        const uint8_t *b = p->data + p->shoff + i * p->shentsize;

        *ret = (Section) {
                .name = ELF_FIELD(p, b, Shdr, sh_name),
                .type = ELF_FIELD(p, b, Shdr, sh_type),
                .flags = ELF_FIELD(p, b, Shdr, sh_flags),
                .addr = ELF_FIELD(p, b, Shdr, sh_addr),
                .offset = ELF_FIELD(p, b, Shdr, sh_offset),
                .size = ELF_FIELD(p, b, Shdr, sh_size),
                .link = ELF_FIELD(p, b, Shdr, sh_link),
                .info = ELF_FIELD(p, b, Shdr, sh_info),
        };
}

static void get_segment(const Parser *p, uint64_t i, Segment *ret) {
        const uint8_t *b = p->data + p->phoff + i * p->phentsize;

        *ret = (Segment) {
                .type = ELF_FIELD(p, b, Phdr, p_type),
                .flags = ELF_FIELD(p, b, Phdr, p_flags),
                .offset = ELF_FIELD(p, b, Phdr, p_offset),
                .vaddr = ELF_FIELD(p, b, Phdr, p_vaddr),
                .filesz = ELF_FIELD(p, b, Phdr, p_filesz),
        };
}

static int parse_elf_header(Parser *p) {
        const uint8_t *h = p->data;
        size_t ehdr_size;
        int r;

        if (p->size < SELFMAG || memcmp(h, ELFMAG, SELFMAG) != 0)
                return fail(p, -ENOEXEC, p->size == 0 ? "not an ELF file: the file is empty"
                                                       : "not an ELF file (no ELF magic number)");
        if (p->size < EI_NIDENT)
                return fail_truncated(p, "the ELF identification", 0, EI_NIDENT);

        if (h[EI_CLASS] == ELFCLASS64)
                p->is64 = true;
        else if (h[EI_CLASS] != ELFCLASS32)
                return fail_bad(p, "unknown ELF class %u", h[EI_CLASS]);

        if (h[EI_DATA] == ELFDATA2MSB)
                p->big_endian = true;
        else if (h[EI_DATA] != ELFDATA2LSB)
                return fail_bad(p, "unknown ELF byte order %u", h[EI_DATA]);

        if (h[EI_VERSION] != EV_CURRENT)
                return fail_bad(p, "unknown ELF version %u", h[EI_VERSION]);

        ehdr_size = p->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
        if (p->size < ehdr_size)
                return fail_truncated(p, "the ELF header", 0, ehdr_size);

        p->phoff = ELF_FIELD(p, h, Ehdr, e_phoff);
        p->phentsize = ELF_FIELD(p, h, Ehdr, e_phentsize);
        p->phnum = ELF_FIELD(p, h, Ehdr, e_phnum);
        p->shoff = ELF_FIELD(p, h, Ehdr, e_shoff);
        p->shentsize = ELF_FIELD(p, h, Ehdr, e_shentsize);
        p->shnum = ELF_FIELD(p, h, Ehdr, e_shnum);
        p->shstrndx = ELF_FIELD(p, h, Ehdr, e_shstrndx);

        if (p->shoff == 0)
                p->shnum = 0;
        else if (p->shnum == 0 || p->shstrndx == SHN_XINDEX || p->phnum == PN_XNUM) {
                Section zero;

                /* Counts too large for the ELF header are kept in the first section header. */
                r = check_table(p, "the section header table", p->shoff, 1, p->shentsize,
                                p->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
                if (r < 0)
                        return r;
                get_section(p, 0, &zero);
                if (p->shnum == 0)
                        p->shnum = zero.size;
                if (p->shstrndx == SHN_XINDEX)
                        p->shstrndx = zero.link;
                if (p->phnum == PN_XNUM)
                        p->phnum = zero.info;
        }

        r = check_table(p, "the program header table", p->phoff, p->phnum, p->phentsize,
                        p->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
        if (r < 0)
                return r;

        r = check_table(p, "the section header table", p->shoff, p->shnum, p->shentsize,
                        p->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
        if (r < 0)
                return r;

        if (p->shnum > 0 && p->shstrndx != SHN_UNDEF && p->shstrndx >= p->shnum)
                return fail_bad(p, "the section name table is section %llu, but there are only %llu sections",
                                (unsigned long long) p->shstrndx, (unsigned long long) p->shnum);

        return 0;
}

/* The bytes at virtual address addr, through the loadable segment that holds them (or, for a file
 * without program headers, the allocated section). what names them for the error. */
static int read_vaddr(Parser *p, uint64_t addr, uint64_t length, const char *what, const uint8_t **ret) {
        for (uint64_t i = 0; i < p->phnum; i++) {
                Segment s;

                get_segment(p, i, &s);
                if (s.type != PT_LOAD || addr < s.vaddr || addr - s.vaddr >= s.filesz)
                        continue;

                if (!in_file(p, s.offset, s.filesz))
                        return fail_truncated(p, "a loadable segment", s.offset, s.filesz);
                if (length > s.filesz - (addr - s.vaddr))
                        return fail_bad(p, "%s at address 0x%llx (%llu bytes) runs past the end of its segment",
                                        what, (unsigned long long) addr, (unsigned long long) length);
                *ret = p->data + s.offset + (addr - s.vaddr);
                return 0;
        }

        if (p->phnum == 0)
                for (uint64_t i = 0; i < p->shnum; i++) {
                        Section s;

                        get_section(p, i, &s);
                        if (!(s.flags & SHF_ALLOC) || s.type == SHT_NOBITS ||
                            addr < s.addr || addr - s.addr >= s.size)
                                continue;

                        if (!in_file(p, s.offset, s.size))
                                return fail_truncated(p, "a section", s.offset, s.size);
                        if (length > s.size - (addr - s.addr))
                                return fail_bad(p, "%s at address 0x%llx (%llu bytes) runs past the end of "
                                                "its section", what, (unsigned long long) addr,
                                                (unsigned long long) length);
                        *ret = p->data + s.offset + (addr - s.addr);
                        return 0;
                }

        return fail_bad(p, "%s at address 0x%llx is not in any part of the file that is loaded", what,
                        (unsigned long long) addr);
}

/* The first build info header at a 16-byte aligned address in data (loaded at addr), as the bytes
 * from it to the end of data. strict: accept only a plausible header (pointer size 4 or 8, known
 * flags), for the scan of a whole data segment, where the magic could also be the contents of some
 * byte array. */
static bool find_header(const uint8_t *data, uint64_t size, uint64_t addr, bool strict, Bytes *ret) {
        for (const uint8_t *m = data; (m = memmem(m, data + size - m, MAGIC, MAGIC_SIZE)); m++) {
                uint64_t i = m - data;

                if ((addr + i) % HEADER_ALIGN != 0 || size - i < HEADER_SIZE)
                        continue;
                if (strict && (!IN_SET(m[MAGIC_SIZE], 4, 8) || m[MAGIC_SIZE + 1] > (FLAG_BIG_ENDIAN|FLAG_INLINE)))
                        continue;

                *ret = (Bytes) { m, size - i };
                return true;
        }
        return false;
}

/* The .go.buildinfo section: 1 and the header found in it, 0 when the file has no such section. */
static int find_section_header(Parser *p, Bytes *ret) {
        static const char name[] = ".go.buildinfo";
        Section names;

        if (p->shnum == 0 || p->shstrndx == SHN_UNDEF)
                return 0;

        get_section(p, p->shstrndx, &names);
        if (names.type == SHT_NOBITS)
                return fail_bad(p, "the section name table has no contents in the file");
        if (!in_file(p, names.offset, names.size))
                return fail_truncated(p, "the section name table", names.offset, names.size);

        for (uint64_t i = 0; i < p->shnum; i++) {
                Section s;

                get_section(p, i, &s);
                if (s.name >= names.size || names.size - s.name < sizeof(name) ||
                    memcmp(p->data + names.offset + s.name, name, sizeof(name)) != 0)
                        continue;

                if (s.type == SHT_NOBITS)
                        return fail_bad(p, "the .go.buildinfo section has no contents in the file");
                if (!in_file(p, s.offset, s.size))
                        return fail_truncated(p, "the .go.buildinfo section", s.offset, s.size);
                if (!find_header(p->data + s.offset, s.size, s.addr, false, ret))
                        return fail_bad(p, "the .go.buildinfo section (%llu bytes) holds no complete build "
                                        "info header", (unsigned long long) s.size);
                return 1;
        }

        return 0;
}

/* Without the section (stripped section headers), the header is looked for in every writable,
 * non-executable loadable segment, as Go's linker puts it there. */
static int find_segment_header(Parser *p, Bytes *ret) {
        for (uint64_t i = 0; i < p->phnum; i++) {
                Segment s;

                get_segment(p, i, &s);
                if (s.type != PT_LOAD || (s.flags & (PF_X|PF_W)) != PF_W || s.filesz == 0)
                        continue;
                if (!in_file(p, s.offset, s.filesz))
                        return fail_truncated(p, "the data segment", s.offset, s.filesz);
                if (find_header(p->data + s.offset, s.filesz, s.vaddr, true, ret))
                        return 1;
        }
        return 0;
}

/* Go's uvarint: 7 bits a byte, low first, at most 10 bytes. Returns the bytes used, 0 if malformed. */
static size_t read_uvarint(const uint8_t *p, size_t size, uint64_t *ret) {
        uint64_t v = 0;

        for (size_t i = 0; i < size && i < 10; i++) {
                if (i == 9 && p[i] > 1)
                        return 0;  /* more than 64 bits */
                v |= (uint64_t) (p[i] & 0x7f) << (7 * i);
                if (!(p[i] & 0x80)) {
                        *ret = v;
                        return i + 1;
                }
        }
        return 0;
}

static int read_inline_string(Parser *p, Bytes *rest, const char *what, Bytes *ret) {
        uint64_t length;
        size_t used;

        used = read_uvarint(rest->p, rest->n, &length);
        if (used == 0)
                return fail_bad(p, "the length of %s in the build info is malformed or truncated", what);
        if (length > rest->n - used)
                return fail_bad(p, "%s (%llu bytes) runs past the end of the build info", what,
                                (unsigned long long) length);

        *ret = (Bytes) { rest->p + used, length };
        *rest = (Bytes) { rest->p + used + length, rest->n - used - length };
        return 0;
}

/* Before go1.18 the linker of a position-independent program could leave the pointers zero in the
 * file, for the dynamic loader to fill in: such a program's build info is not in its file. */
static int fail_zero_pointer(Parser *p, const char *what) {
        return fail_bad(p, "the pointer to %s is zero in the file (a position-independent program built by a "
                        "Go before 1.18 has it set only when loaded)", what);
}

/* A Go string header { data pointer, length } at addr, and the bytes it points to. */
static int read_pointed_string(Parser *p, uint64_t addr, unsigned ptr_size, bool big_endian, const char *what,
                               const char *header_what, Bytes *ret) {
        const uint8_t *header, *bytes;
        uint64_t data, length;
        int r;

        if (addr == 0)
                return fail_zero_pointer(p, header_what);
        r = read_vaddr(p, addr, 2 * ptr_size, header_what, &header);
        if (r < 0)
                return r;

        data = read_uint(header, ptr_size, big_endian);
        length = read_uint(header + ptr_size, ptr_size, big_endian);
        if (length == 0) {
                *ret = (Bytes) {};
                return 0;
        }

        if (data == 0)
                return fail_zero_pointer(p, what);
        r = read_vaddr(p, data, length, what, &bytes);
        if (r < 0)
                return r;

        *ret = (Bytes) { bytes, length };
        return 0;
}

/* The Go version and the module info (with its sentinels) from the header and what follows it. */
static int decode_header(Parser *p, Bytes blob, Bytes *ret_version, Bytes *ret_modinfo) {
        unsigned ptr_size = blob.p[MAGIC_SIZE];
        uint8_t flags = blob.p[MAGIC_SIZE + 1];
        Bytes version, modinfo;
        int r;

        if (flags & FLAG_INLINE) {
                Bytes rest = { blob.p + HEADER_SIZE, blob.n - HEADER_SIZE };

                r = read_inline_string(p, &rest, "the Go version", &version);
                if (r < 0)
                        return r;
                r = read_inline_string(p, &rest, "the module info", &modinfo);
                if (r < 0)
                        return r;
        } else {
                bool big_endian = flags & FLAG_BIG_ENDIAN;

                if (!IN_SET(ptr_size, 4U, 8U))
                        return fail_bad(p, "the build info header gives a pointer size of %u bytes, not 4 or 8",
                                        ptr_size);

                r = read_pointed_string(p, read_uint(blob.p + 16, ptr_size, big_endian), ptr_size, big_endian,
                                        "the Go version", "the string header of the Go version", &version);
                if (r < 0)
                        return r;
                r = read_pointed_string(p, read_uint(blob.p + 16 + ptr_size, ptr_size, big_endian), ptr_size,
                                        big_endian, "the module info", "the string header of the module info",
                                        &modinfo);
                if (r < 0)
                        return r;
        }

        if (version.n == 0)
                return fail_bad(p, "the build info names no Go version");

        *ret_version = version;
        *ret_modinfo = modinfo;
        return 0;
}

/* A C string from the file: refused if it has a NUL byte or is not UTF-8, so callers can print it
 * and put it in JSON as it is. */
static int dup_text(Parser *p, const void *s, size_t n, unsigned line, const char *what, char **ret) {
        char *t;

        if (memchr(s, 0, n) || !utf8_is_valid_n(s, n))
                return line > 0
                        ? fail_bad(p, "module info line %u: %s is not UTF-8 text", line, what)
                        : fail_bad(p, "%s is not UTF-8 text", what);

        t = strndup(s, n);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

static void go_module_done(GoModule *m) {
        free(m->path);
        free(m->version);
        free(m->sum);
        if (m->replace) {
                go_module_done(m->replace);
                free(m->replace);
        }
        *m = (GoModule) {};
}

GoBuildInfo *go_buildinfo_free(GoBuildInfo *info) {
        if (!info)
                return NULL;

        free(info->go_version);
        free(info->path);
        go_module_done(&info->main);
        for (size_t i = 0; i < info->n_deps; i++)
                go_module_done(&info->deps[i]);
        free(info->deps);
        for (size_t i = 0; i < info->n_settings; i++) {
                free(info->settings[i].key);
                free(info->settings[i].value);
        }
        free(info->settings);
        return mfree(info);
}

const char *go_buildinfo_setting(const GoBuildInfo *info, const char *key) {
        for (size_t i = info->n_settings; i > 0; i--)
                if (streq(info->settings[i - 1].key, key))
                        return info->settings[i - 1].value;
        return NULL;
}

/* Splits a line at tabs into at most max columns; returns the number of columns, or max + 1 when
 * there are more. */
static size_t split_columns(const char *s, size_t n, Bytes *columns, size_t max) {
        size_t count = 0;

        for (;;) {
                const char *tab = memchr(s, '\t', n);
                size_t len = tab ? (size_t) (tab - s) : n;

                if (count == max)
                        return max + 1;
                columns[count++] = (Bytes) { (const uint8_t *) s, len };
                if (!tab)
                        return count;
                s += len + 1;
                n -= len + 1;
        }
}

/* "path version [sum]" of a "mod" or "dep" line, or exactly three columns for "=>". */
static int parse_module(Parser *p, const char *s, size_t n, unsigned line, bool replacement, GoModule *ret) {
        _cleanup_(go_module_done) GoModule m = {};
        Bytes col[3];
        size_t count;
        int r;

        count = split_columns(s, n, col, ELEMENTSOF(col));
        if (replacement ? count != 3 : count < 2 || count > 3)
                return fail_bad(p, "module info line %u: expected %s columns, got %s", line,
                                replacement ? "3" : "2 or 3", count > 3 ? "more" : count == 2 ? "2" : "1");

        r = dup_text(p, col[0].p, col[0].n, line, "the module path", &m.path);
        if (r < 0)
                return r;
        r = dup_text(p, col[1].p, col[1].n, line, "the module version", &m.version);
        if (r < 0)
                return r;
        if (count == 3 && col[2].n > 0) {
                r = dup_text(p, col[2].p, col[2].n, line, "the module checksum", &m.sum);
                if (r < 0)
                        return r;
        }

        *ret = m;
        m = (GoModule) {};
        return 0;
}

/* Go quotes a setting's key when it is empty or holds any of these, and its value for the same minus
 * '=' (and not when empty). An unquoted one that holds them is malformed. */
static bool needs_quotes(const char *s, size_t n, bool key) {
        if (key && n == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if (strchr(key ? "= \t\r\n\"`" : " \t\r\n\"`", s[i]) && s[i] != 0)
                        return true;
        return false;
}

/* One escape sequence of a double-quoted Go string after the backslash at s[0]: appends its bytes to
 * out and returns how many input bytes it took, 0 if invalid. */
static size_t unescape(const char *s, size_t n, char *out, size_t *out_len) {
        static const char simple_from[] = "abfnrtv\\\"", simple_to[] = "\a\b\f\n\r\t\v\\\"";
        const char *k;
        uint32_t v = 0;
        size_t digits;

        if (n < 2)
                return 0;

        k = strchr(simple_from, s[1]);
        if (k && s[1] != 0) {
                out[(*out_len)++] = simple_to[k - simple_from];
                return 2;
        }

        if (s[1] >= '0' && s[1] <= '7') {
                if (n < 4)
                        return 0;
                for (size_t i = 1; i <= 3; i++) {
                        if (s[i] < '0' || s[i] > '7')
                                return 0;
                        v = v * 8 + (s[i] - '0');
                }
                if (v > 0xff)
                        return 0;
                out[(*out_len)++] = v;
                return 4;
        }

        digits = s[1] == 'x' ? 2 : s[1] == 'u' ? 4 : s[1] == 'U' ? 8 : 0;
        if (digits == 0 || n < 2 + digits)
                return 0;
        for (size_t i = 2; i < 2 + digits; i++) {
                int h = unhexchar(s[i]);

                if (h < 0)
                        return 0;
                v = v * 16 + h;
        }
        if (s[1] == 'x')
                out[(*out_len)++] = v;
        else {
                if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                        return 0;
                *out_len += utf8_encode(v, out + *out_len);
        }
        return 2 + digits;
}

/* The Go string literal ("…" with escapes, or `…` raw) at the start of s: its value and how many bytes
 * of s it spans. -EINVAL when s does not start with a valid literal. */
static int unquote_prefix(const char *s, size_t n, char **ret, size_t *ret_value_len, size_t *ret_consumed) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        char quote = s[0];

        /* No escape produces more bytes than it takes. */
        out = malloc(n + 1);
        if (!out)
                return -ENOMEM;

        for (size_t i = 1; i < n;) {
                if (s[i] == quote) {
                        out[len] = 0;
                        *ret = TAKE_PTR(out);
                        *ret_value_len = len;
                        *ret_consumed = i + 1;
                        return 0;
                }

                if (quote == '`') {
                        if (s[i] != '\r')  /* raw strings drop carriage returns */
                                out[len++] = s[i];
                        i++;
                } else if (s[i] == '\n')
                        return -EINVAL;
                else if (s[i] == '\\') {
                        size_t used = unescape(s + i, n - i, out, &len);

                        if (used == 0)
                                return -EINVAL;
                        i += used;
                } else
                        out[len++] = s[i++];
        }

        return -EINVAL;  /* no closing quote */
}

static bool is_quote(char c) {
        return c == '"' || c == '`';
}

/* "build KEY=VALUE", either of them possibly quoted. */
static int parse_setting(Parser *p, const char *s, size_t n, unsigned line, GoBuildSetting *ret) {
        _cleanup_free_ char *raw_key = NULL, *raw_value = NULL, *key = NULL, *value = NULL;
        const char *v;
        size_t key_len, value_len, consumed, vn;
        int r;

        if (n == 0)
                return fail_bad(p, "module info line %u: build setting without '='", line);
        if (s[0] == '=')
                return fail_bad(p, "module info line %u: build setting without a key", line);

        if (is_quote(s[0])) {
                r = unquote_prefix(s, n, &raw_key, &key_len, &consumed);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return fail_bad(p, "module info line %u: invalid quoted key of a build setting", line);
                if (consumed == n || s[consumed] != '=')
                        return fail_bad(p, "module info line %u: no '=' after the quoted key of a build setting",
                                        line);
        } else {
                const char *eq = memchr(s, '=', n);

                if (!eq)
                        return fail_bad(p, "module info line %u: build setting without '='", line);
                consumed = eq - s;
                if (needs_quotes(s, consumed, true))
                        return fail_bad(p, "module info line %u: the key of a build setting holds characters "
                                        "that must be quoted", line);
        }
        r = dup_text(p, raw_key ?: s, raw_key ? key_len : consumed, line, "the key of a build setting", &key);
        if (r < 0)
                return r;

        v = s + consumed + 1;
        vn = n - consumed - 1;
        if (vn > 0 && is_quote(v[0])) {
                r = unquote_prefix(v, vn, &raw_value, &value_len, &consumed);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || consumed != vn)
                        return fail_bad(p, "module info line %u: invalid quoted value of build setting %s", line,
                                        key);
        } else if (needs_quotes(v, vn, false))
                return fail_bad(p, "module info line %u: the value of build setting %s holds characters that "
                                "must be quoted", line, key);
        r = dup_text(p, raw_value ?: v, raw_value ? value_len : vn, line, "the value of a build setting", &value);
        if (r < 0)
                return r;

        *ret = (GoBuildSetting) { TAKE_PTR(key), TAKE_PTR(value) };
        return 0;
}

static bool startswith_n(const char *s, size_t n, const char *prefix, size_t *ret_skip) {
        size_t k = strlen(prefix);

        if (n < k || memcmp(s, prefix, k) != 0)
                return false;
        *ret_skip = k;
        return true;
}

static int parse_line(Parser *p, const char *s, size_t n, unsigned line, GoBuildInfo *info, GoModule **last) {
        size_t k;
        int r;

        if (startswith_n(s, n, "path\t", &k)) {
                info->path = mfree(info->path);
                return dup_text(p, s + k, n - k, line, "the package path", &info->path);
        }

        if (startswith_n(s, n, "mod\t", &k)) {
                go_module_done(&info->main);
                r = parse_module(p, s + k, n - k, line, false, &info->main);
                if (r < 0)
                        return r;
                *last = &info->main;
                return 0;
        }

        if (startswith_n(s, n, "dep\t", &k)) {
                GoModule *deps;

                deps = reallocarray(info->deps, info->n_deps + 1, sizeof(GoModule));
                if (!deps)
                        return -ENOMEM;
                info->deps = deps;

                r = parse_module(p, s + k, n - k, line, false, &info->deps[info->n_deps]);
                if (r < 0)
                        return r;
                /* Valid until the next "dep" line moves the array, which sets it anew. */
                *last = &info->deps[info->n_deps++];
                return 0;
        }

        if (startswith_n(s, n, "=>\t", &k)) {
                _cleanup_free_ GoModule *m = NULL;

                if (!*last)
                        return fail_bad(p, "module info line %u: a replacement without a module before it", line);

                m = calloc(1, sizeof(GoModule));
                if (!m)
                        return -ENOMEM;
                r = parse_module(p, s + k, n - k, line, true, m);
                if (r < 0)
                        return r;
                (*last)->replace = TAKE_PTR(m);
                *last = NULL;
                return 0;
        }

        if (startswith_n(s, n, "build\t", &k)) {
                GoBuildSetting *settings;

                settings = reallocarray(info->settings, info->n_settings + 1, sizeof(GoBuildSetting));
                if (!settings)
                        return -ENOMEM;
                info->settings = settings;

                r = parse_setting(p, s + k, n - k, line, &info->settings[info->n_settings]);
                if (r < 0)
                        return r;
                info->n_settings++;
                return 0;
        }

        /* Lines of kinds a later Go may add are skipped, as Go itself does. */
        return 0;
}

static int parse_modinfo(Parser *p, Bytes modinfo, GoBuildInfo *info) {
        const char *s = (const char *) modinfo.p;
        size_t n = modinfo.n;
        GoModule *last = NULL;
        unsigned line = 0;
        int r;

        /* Framed by sentinels, the last of which follows a newline; anything else (an empty string: built
         * outside module mode by an old Go) carries no module info. */
        if (n < 2 * SENTINEL_SIZE + 1 || s[n - SENTINEL_SIZE - 1] != '\n')
                return 0;
        s += SENTINEL_SIZE;
        n -= 2 * SENTINEL_SIZE;

        /* Every line ends in a newline; like Go, ignore what follows the last one. */
        for (const char *nl; (nl = memchr(s, '\n', n)); n -= nl - s + 1, s = nl + 1) {
                r = parse_line(p, s, nl - s, ++line, info, &last);
                if (r < 0)
                        return r;
        }

        return 0;
}

static int parse(Parser *p, GoBuildInfo **ret) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
        Bytes blob = {}, version = {}, modinfo = {};
        int r;

        r = parse_elf_header(p);
        if (r < 0)
                return r;

        r = find_section_header(p, &blob);
        if (r == 0)
                r = find_segment_header(p, &blob);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(p, -ENOMSG, "an ELF file without Go build info: not a Go program");

        r = decode_header(p, blob, &version, &modinfo);
        if (r < 0)
                return r;

        info = calloc(1, sizeof(GoBuildInfo));
        if (!info)
                return -ENOMEM;

        r = dup_text(p, version.p, version.n, 0, "the Go version", &info->go_version);
        if (r < 0)
                return r;

        r = parse_modinfo(p, modinfo, info);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(info);
        return 0;
}

int go_buildinfo_parse(const void *data, size_t size, GoBuildInfo **ret, char **ret_reason) {
        Parser p = { .data = data, .size = size };
        int r;

        r = parse(&p, ret);
        if (r < 0 && r != -ENOMEM && ret_reason && p.reason)
                *ret_reason = TAKE_PTR(p.reason);
        free(p.reason);
        return r;
}

/* For what cannot be mapped: a pipe, or a file system without mmap. */
int go_buildinfo_read_fd(int fd, uint64_t max_size, GoBuildInfo **ret, char **ret_reason) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t size = 0;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;

        if (S_ISREG(st.st_mode) && st.st_size > 0) {
                void *m;

                if ((uint64_t) st.st_size > max_size || (uint64_t) st.st_size > SIZE_MAX)
                        return -EFBIG;

                /* Mapped, not read: only the headers and the build info are paged in, a few pages of a
                 * binary of tens of megabytes. */
                m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (m != MAP_FAILED) {
                        r = go_buildinfo_parse(m, st.st_size, ret, ret_reason);
                        (void) munmap(m, st.st_size);
                        return r;
                }
        }

        r = read_full_fd(fd, (size_t) MIN(max_size, (uint64_t) SIZE_MAX), 0, &buf, &size);
        if (r < 0)
                return r;

        return go_buildinfo_parse(buf, size, ret, ret_reason);
}
