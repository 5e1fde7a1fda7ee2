/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Go build info: real Go programs from Debian (age, restic, the go tool), the same with their section
 * headers removed and cut short, and ELF files built here for what no installed program has: the
 * pre-go1.18 pointer layout, 32-bit and big-endian files, and hand-written module info. */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fileio.h"
#include "go-buildinfo.h"
#include "macro.h"
#include "tests.h"

/* ---- Building ELF files ------------------------------------------------------------------------ */

#define BASE_ADDR 0x400000
#define RODATA_OFFSET 0x100
#define SENTINEL "0123456789abcdef"   /* any 16 bytes frame the module info */

typedef struct Spec {
        bool is64;
        bool big_endian;
        bool pointers;          /* the pre-go1.18 layout */
        bool no_sections;       /* section headers stripped */
        bool no_buildinfo;      /* a plain ELF file */
        const char *version;
        const char *modinfo;    /* lines, framed here; NULL: an empty module info */
} Spec;

typedef struct Buf {
        uint8_t *data;
        size_t size;
} Buf;

static void put(Buf *b, size_t offset, uint64_t v, size_t n, bool big_endian) {
        ASSERT_LE(offset + n, b->size);
        for (size_t i = 0; i < n; i++)
                b->data[offset + (big_endian ? n - 1 - i : i)] = (v >> (8 * i)) & 0xff;
}

static uint64_t get(const Buf *b, size_t offset, size_t n, bool big_endian) {
        uint64_t v = 0;

        ASSERT_LE(offset + n, b->size);
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t) b->data[offset + (big_endian ? n - 1 - i : i)] << (8 * i);
        return v;
}

static void put_bytes(Buf *b, size_t offset, const void *p, size_t n) {
        ASSERT_LE(offset + n, b->size);
        memcpy(b->data + offset, p, n);
}

/* Sets one field of an ELF structure at offset base, in the spec's class and byte order. */
#define PUT_FIELD(b, spec, base, type, field, v)                                                 \
        ((spec)->is64                                                                            \
         ? put((b), (base) + offsetof(Elf64_##type, field), (v),                                 \
               sizeof(((Elf64_##type *) NULL)->field), (spec)->big_endian)                       \
         : put((b), (base) + offsetof(Elf32_##type, field), (v),                                 \
               sizeof(((Elf32_##type *) NULL)->field), (spec)->big_endian))

static size_t align16(size_t n) {
        return (n + 15) & ~(size_t) 15;
}

static size_t uvarint(uint64_t v, uint8_t out[static 10]) {
        size_t n = 0;

        while (v >= 0x80) {
                out[n++] = (v & 0x7f) | 0x80;
                v >>= 7;
        }
        out[n++] = v;
        return n;
}

/* Layout: ELF header, program headers, then at RODATA_OFFSET the string bytes (read-only segment),
 * then the .go.buildinfo section (writable segment: the 32-byte header, and the inline strings or the
 * two string headers), then the section names and the section headers. */
static Buf build_elf(const Spec *spec) {
        _cleanup_free_ char *modinfo = NULL;
        size_t ptr = spec->is64 ? 8 : 4, ehdr = spec->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
        size_t phent = spec->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        size_t shent = spec->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
        static const char names[] = "\0.rodata\0.go.buildinfo\0.shstrtab\0.data\0";
        const char *version = spec->version ?: "go1.17.13";
        size_t version_len = strlen(version), modinfo_len, rodata_len, data_offset, data_len;
        size_t names_offset, shoff;
        uint8_t lenbuf[2][10];
        size_t lenlen[2];
        Buf b;

        if (spec->modinfo)
                ASSERT_OK_ERRNO(asprintf(&modinfo, SENTINEL "%s" SENTINEL, spec->modinfo));
        modinfo_len = modinfo ? strlen(modinfo) : 0;

        lenlen[0] = uvarint(version_len, lenbuf[0]);
        lenlen[1] = uvarint(modinfo_len, lenbuf[1]);

        rodata_len = spec->pointers ? version_len + modinfo_len : 16;
        data_offset = align16(RODATA_OFFSET + rodata_len);
        data_len = spec->no_buildinfo ? 64
                : align16(32 + (spec->pointers ? 4 * ptr : lenlen[0] + version_len + lenlen[1] + modinfo_len));
        names_offset = data_offset + data_len;
        shoff = align16(names_offset + sizeof(names));

        b.size = shoff + 4 * shent;
        b.data = calloc(1, b.size);
        ASSERT_NOT_NULL(b.data);

        /* ELF header */
        memcpy(b.data, ELFMAG, SELFMAG);
        b.data[EI_CLASS] = spec->is64 ? ELFCLASS64 : ELFCLASS32;
        b.data[EI_DATA] = spec->big_endian ? ELFDATA2MSB : ELFDATA2LSB;
        b.data[EI_VERSION] = EV_CURRENT;
        PUT_FIELD(&b, spec, 0, Ehdr, e_type, ET_EXEC);
        PUT_FIELD(&b, spec, 0, Ehdr, e_machine, spec->is64 ? (spec->big_endian ? EM_S390 : EM_X86_64)
                                                            : (spec->big_endian ? EM_MIPS : EM_386));
        PUT_FIELD(&b, spec, 0, Ehdr, e_version, EV_CURRENT);
        PUT_FIELD(&b, spec, 0, Ehdr, e_phoff, ehdr);
        PUT_FIELD(&b, spec, 0, Ehdr, e_ehsize, ehdr);
        PUT_FIELD(&b, spec, 0, Ehdr, e_phentsize, phent);
        PUT_FIELD(&b, spec, 0, Ehdr, e_phnum, 2);
        if (!spec->no_sections) {
                PUT_FIELD(&b, spec, 0, Ehdr, e_shoff, shoff);
                PUT_FIELD(&b, spec, 0, Ehdr, e_shentsize, shent);
                PUT_FIELD(&b, spec, 0, Ehdr, e_shnum, 4);
                PUT_FIELD(&b, spec, 0, Ehdr, e_shstrndx, 3);
        }

        /* Program headers: the read-only part, and the writable data. */
        for (size_t i = 0; i < 2; i++) {
                size_t at = ehdr + i * phent, offset = i == 0 ? 0 : data_offset;

                PUT_FIELD(&b, spec, at, Phdr, p_type, PT_LOAD);
                PUT_FIELD(&b, spec, at, Phdr, p_flags, i == 0 ? PF_R : PF_R|PF_W);
                PUT_FIELD(&b, spec, at, Phdr, p_offset, offset);
                PUT_FIELD(&b, spec, at, Phdr, p_vaddr, BASE_ADDR + offset);
                PUT_FIELD(&b, spec, at, Phdr, p_paddr, BASE_ADDR + offset);
                PUT_FIELD(&b, spec, at, Phdr, p_filesz, i == 0 ? data_offset : data_len);
                PUT_FIELD(&b, spec, at, Phdr, p_memsz, i == 0 ? data_offset : data_len);
                PUT_FIELD(&b, spec, at, Phdr, p_align, 16);
        }

        if (!spec->no_buildinfo) {
                size_t at = data_offset;

                put_bytes(&b, at, "\xff Go buildinf:", 14);
                b.data[at + 14] = ptr;
                b.data[at + 15] = (spec->big_endian ? 1 : 0) | (spec->pointers ? 0 : 2);

                if (spec->pointers) {
                        /* Two pointers to two string headers right after the header, which point at
                         * the bytes in the read-only part. */
                        size_t headers = at + 32;

                        put(&b, at + 16, BASE_ADDR + headers, ptr, spec->big_endian);
                        put(&b, at + 16 + ptr, BASE_ADDR + headers + 2 * ptr, ptr, spec->big_endian);

                        put_bytes(&b, RODATA_OFFSET, version, version_len);
                        put(&b, headers, BASE_ADDR + RODATA_OFFSET, ptr, spec->big_endian);
                        put(&b, headers + ptr, version_len, ptr, spec->big_endian);

                        if (modinfo_len > 0) {
                                put_bytes(&b, RODATA_OFFSET + version_len, modinfo, modinfo_len);
                                put(&b, headers + 2 * ptr, BASE_ADDR + RODATA_OFFSET + version_len, ptr,
                                    spec->big_endian);
                        }
                        put(&b, headers + 3 * ptr, modinfo_len, ptr, spec->big_endian);
                } else {
                        at += 32;
                        put_bytes(&b, at, lenbuf[0], lenlen[0]);
                        put_bytes(&b, at += lenlen[0], version, version_len);
                        put_bytes(&b, at += version_len, lenbuf[1], lenlen[1]);
                        put_bytes(&b, at += lenlen[1], modinfo ?: "", modinfo_len);
                }
        }

        put_bytes(&b, names_offset, names, sizeof(names));

        /* Section headers: null, .rodata, .go.buildinfo, .shstrtab. Written also when stripped from
         * the ELF header, as sstrip leaves bytes behind. */
        for (size_t i = 1; i < 4; i++) {
                size_t at = shoff + i * shent;
                static const uint32_t name[] = { 0, 1, 9, 23 };

                /* A plain ELF file has .data where a Go program has .go.buildinfo. */
                PUT_FIELD(&b, spec, at, Shdr, sh_name, i == 2 && spec->no_buildinfo ? 33 : name[i]);
                PUT_FIELD(&b, spec, at, Shdr, sh_type, i == 3 ? SHT_STRTAB : SHT_PROGBITS);
                PUT_FIELD(&b, spec, at, Shdr, sh_flags, i == 1 ? SHF_ALLOC : i == 2 ? SHF_ALLOC|SHF_WRITE : 0);
                PUT_FIELD(&b, spec, at, Shdr, sh_addr, i == 1 ? BASE_ADDR + RODATA_OFFSET :
                                                       i == 2 ? BASE_ADDR + data_offset : 0);
                PUT_FIELD(&b, spec, at, Shdr, sh_offset, i == 1 ? RODATA_OFFSET :
                                                         i == 2 ? data_offset : names_offset);
                PUT_FIELD(&b, spec, at, Shdr, sh_size, i == 1 ? rodata_len : i == 2 ? data_len : sizeof(names));
                PUT_FIELD(&b, spec, at, Shdr, sh_addralign, i == 3 ? 1 : 16);
        }

        return b;
}

/* ---- Helpers ----------------------------------------------------------------------------------- */

static void buf_done(Buf *b) {
        free(b->data);
}

/* Parses a private copy of exactly size bytes, so AddressSanitizer sees any read past the end. */
static int parse_copy(const void *data, size_t size, GoBuildInfo **ret, char **ret_reason) {
        _cleanup_free_ uint8_t *copy = NULL;

        copy = malloc(size ?: 1);
        ASSERT_NOT_NULL(copy);
        memcpy(copy, data, size);
        return go_buildinfo_parse(copy, size, ret, ret_reason);
}

static GoBuildInfo *parse_ok(const void *data, size_t size) {
        _cleanup_free_ char *reason = NULL;
        GoBuildInfo *info = NULL;
        int r;

        r = parse_copy(data, size, &info, &reason);
        if (r < 0) {
                TEST_FAIL("go_buildinfo_parse() failed: %s (%s)", strerror(-r), strempty(reason));
        }
        ASSERT_NOT_NULL(info);
        ASSERT_NULL(reason);
        ASSERT_FALSE(isempty(info->go_version));
        return info;
}

/* The parse fails with error, and says why, mentioning reason_part. */
static void assert_error(const void *data, size_t size, int error, const char *reason_part) {
        GoBuildInfo *sentinel = (GoBuildInfo *) (uintptr_t) 0x1, *info = sentinel;
        _cleanup_free_ char *reason = NULL;
        int r;

        r = parse_copy(data, size, &info, &reason);
        if (r != error) {
                TEST_FAIL("go_buildinfo_parse() of %zu bytes = %d (%s), expected %d", size, r,
                        strempty(reason), error);
        }
        ASSERT_EQ(info, sentinel);
        ASSERT_NOT_NULL(reason);
        if (reason_part && !strstr(reason, reason_part)) {
                TEST_FAIL("reason \"%s\" does not mention \"%s\"", reason, reason_part);
        }

        /* The same without asking for a reason. */
        ASSERT_EQ(parse_copy(data, size, &info, NULL), error);
        ASSERT_EQ(info, sentinel);
}

static GoBuildInfo *parse_spec(const Spec *spec) {
        _cleanup_(buf_done) Buf b = build_elf(spec);

        return parse_ok(b.data, b.size);
}

static void assert_spec_error(const Spec *spec, const char *reason_part) {
        _cleanup_(buf_done) Buf b = build_elf(spec);

        assert_error(b.data, b.size, -EBADMSG, reason_part);
}

/* A real program, whole, or NULL when it is not installed. */
static Buf *load_program(const char *path, Buf *ret) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_file_at(AT_FDCWD, path, 512U * 1024U * 1024U, &data, &size);
        if (r == -ENOENT)
                return NULL;
        ASSERT_OK(r);

        *ret = (Buf) { (uint8_t *) TAKE_PTR(data), size };
        return ret;
}

/* Offset of the 32-byte build info header in a real program, found the simple way. */
static size_t find_magic(const Buf *b) {
        for (size_t i = 0; i + 32 <= b->size; i += 16)
                if (memcmp(b->data + i, "\xff Go buildinf:", 14) == 0 && IN_SET(b->data[i + 14], 4, 8))
                        return i;
        TEST_FAIL("no Go build info header in %zu bytes", b->size);
}

/* The same file without section headers, as sstrip leaves it (zeros read the same in either byte
 * order). */
static void strip_section_headers(Buf *b) {
        bool is64 = b->data[EI_CLASS] == ELFCLASS64;

        memset(b->data + (is64 ? offsetof(Elf64_Ehdr, e_shoff) : offsetof(Elf32_Ehdr, e_shoff)), 0, is64 ? 8 : 4);
        memset(b->data + (is64 ? offsetof(Elf64_Ehdr, e_shnum) : offsetof(Elf32_Ehdr, e_shnum)), 0, 2);
        memset(b->data + (is64 ? offsetof(Elf64_Ehdr, e_shstrndx) : offsetof(Elf32_Ehdr, e_shstrndx)), 0, 2);
}

static void assert_same(const GoBuildInfo *a, const GoBuildInfo *b) {
        ASSERT_STREQ(a->go_version, b->go_version);
        ASSERT_STREQ(a->path, b->path);
        ASSERT_STREQ(a->main.path, b->main.path);
        ASSERT_STREQ(a->main.version, b->main.version);
        ASSERT_STREQ(a->main.sum, b->main.sum);
        ASSERT_EQ(a->n_deps, b->n_deps);
        ASSERT_EQ(a->n_settings, b->n_settings);
        for (size_t i = 0; i < a->n_settings; i++) {
                ASSERT_STREQ(a->settings[i].key, b->settings[i].key);
                ASSERT_STREQ(a->settings[i].value, b->settings[i].value);
        }
}

/* ---- Real Go programs -------------------------------------------------------------------------- */

/* The go tool of the installed Go, as `go env GOROOT` names it (Debian: /usr/lib/go-1.19/bin/go), or
 * NULL when there is none. */
static char *go_tool(void) {
        _cleanup_free_ char *root = NULL;
        char *path = NULL;
        size_t n = 0;
        FILE *f;

        f = popen("go env GOROOT 2>/dev/null", "re");
        if (!f)
                return NULL;
        if (getline(&root, &n, f) < 0)
                root = mfree(root);
        if (pclose(f) != 0 || !root)
                return NULL;
        root[strcspn(root, "\n")] = 0;
        if (isempty(root))
                return NULL;
        ASSERT_GT(asprintf(&path, "%s/bin/go", root), 0);
        return path;
}

/* Loads file into b, or says why the case cannot run here and returns false. */
static bool load_real_program(const char *file, Buf *b) {
        if (!file) {
                test_skip_case("no Go installed (`go env GOROOT` fails)");
                return false;
        }
        if (!load_program(file, b)) {
                test_skip_case("%s is not installed", file);
                return false;
        }
        return true;
}

static void test_real_program(const char *file, const char *package) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL, *stripped = NULL;
        _cleanup_(buf_done) Buf b = {};
        _cleanup_free_ char *reason = NULL;
        _cleanup_close_ int fd = -EBADF;

        test_case(__func__);
        printf("  %s\n", file ?: "(no go tool)");
        if (!load_real_program(file, &b))
                return;

        info = parse_ok(b.data, b.size);
        /* "go1.19.8", or whatever Debian builds them with next. */
        ASSERT_EQ(strncmp(info->go_version, "go1.", 4), 0);
        ASSERT_STREQ(info->path, package);
        ASSERT_STREQ(go_buildinfo_setting(info, "GOOS"), "linux");
        ASSERT_STREQ(go_buildinfo_setting(info, "-compiler"), "gc");
        ASSERT_TRUE(go_buildinfo_setting(info, "GOARCH"));
        ASSERT_FALSE(go_buildinfo_setting(info, "NO_SUCH_SETTING"));

        /* From the file, mapped. */
        fd = open(file, O_RDONLY|O_CLOEXEC);
        ASSERT_GE(fd, 0);
        go_buildinfo_free(info);
        info = NULL;
        ASSERT_OK_ZERO(go_buildinfo_read_fd(fd, GO_BUILDINFO_MAX_FILE_SIZE, &info, &reason));
        ASSERT_NULL(reason);
        ASSERT_STREQ(info->path, package);

        /* Without section headers, the build info is found by scanning the data segment: at its start
         * for the go tool, deep inside it for the externally linked age and restic. */
        strip_section_headers(&b);
        stripped = parse_ok(b.data, b.size);
        assert_same(info, stripped);
}

static void test_real_programs(const char *go) {
        test_real_program("/usr/bin/age", "filippo.io/age/cmd/age");
        test_real_program("/usr/bin/restic", "github.com/restic/restic/cmd/restic");
        test_real_program(go, "cmd/go");
}

/* Cut short anywhere, a Go program is a clean error: the section headers at its end are gone. */
static void test_real_truncated(const char *go) {
        _cleanup_(buf_done) Buf b = {};
        size_t magic;

        test_case(__func__);
        if (!load_real_program(go, &b))
                return;
        magic = find_magic(&b);

        const size_t cuts[] = {
                1, 3, 4, 5, EI_NIDENT - 1, EI_NIDENT, 40, 63, 64, 65, 100, 4096,
                magic, magic + 10, magic + 15, magic + 16, magic + 31, magic + 32, magic + 40, magic + 100,
                b.size / 2, b.size - 100, b.size - 1,
        };

        for (size_t i = 0; i < ELEMENTSOF(cuts); i++)
                assert_error(b.data, cuts[i], cuts[i] < SELFMAG ? -ENOEXEC : -EBADMSG,
                             cuts[i] < SELFMAG ? "not an ELF" : "truncated");

        /* Without section headers, a cut before the build info leaves the data segment short, and one
         * inside it the strings. */
        strip_section_headers(&b);
        go_buildinfo_free(parse_ok(b.data, b.size));
        for (size_t i = 0; i < ELEMENTSOF(cuts); i++)
                if (cuts[i] <= magic + 100)
                        assert_error(b.data, cuts[i], cuts[i] < SELFMAG ? -ENOEXEC : -EBADMSG, NULL);
}

static void test_not_go(void) {
        _cleanup_(buf_done) Buf b = {};
        Spec spec = { .is64 = true, .no_buildinfo = true };
        _cleanup_(buf_done) Buf plain = build_elf(&spec);

        test_case(__func__);
        assert_error(plain.data, plain.size, -ENOMSG, "without Go build info");
        spec.no_sections = true;
        buf_done(&plain);
        plain = build_elf(&spec);
        assert_error(plain.data, plain.size, -ENOMSG, "not a Go program");

        /* A C program. */
        ASSERT_TRUE(load_program("/bin/true", &b));
        assert_error(b.data, b.size, -ENOMSG, "not a Go program");
}

static void test_not_elf(void) {
        static const char script[] = "#!/bin/sh\necho hello\n";

        test_case(__func__);
        assert_error("", 0, -ENOEXEC, "empty");
        assert_error("\x7f", 1, -ENOEXEC, "not an ELF");
        assert_error(script, strlen(script), -ENOEXEC, "not an ELF");
        assert_error("MZ\x90\0", 4, -ENOEXEC, "not an ELF");
}

/* ---- ELF files built here ---------------------------------------------------------------------- */

static const char modinfo_full[] =
        "path\texample.com/hello/cmd/hello\n"
        "mod\texample.com/hello\tv1.4.2\th1:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=\n"
        "dep\tgolang.org/x/mod\tv0.7.0\th1:mod=\n"
        "dep\tgolang.org/x/sys\tv0.1.0\n"
        "=>\t../sys\t\t\n"
        "dep\tgithub.com/a/b\tv1.0.0\th1:ab=\n"
        "=>\tgithub.com/fork/b\tv1.0.1\th1:fork=\n"
        "build\t-compiler=gc\n"
        "build\t-ldflags=\"-s -w -X \\\"main.version=1.4.2\\\"\"\n"
        "build\t-trimpath=true\n"
        "build\tCGO_ENABLED=0\n"
        "build\tCGO_CFLAGS=\n"
        "build\tGOARCH=arm64\n"
        "build\tGOOS=linux\n"
        "build\tvcs=git\n"
        "build\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n"
        "build\tvcs.modified=false\n";

static void assert_full(const GoBuildInfo *info, const char *version) {
        ASSERT_STREQ(info->go_version, version);
        ASSERT_STREQ(info->path, "example.com/hello/cmd/hello");
        ASSERT_STREQ(info->main.path, "example.com/hello");
        ASSERT_STREQ(info->main.version, "v1.4.2");
        ASSERT_STREQ(info->main.sum, "h1:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=");
        ASSERT_NULL(info->main.replace);

        ASSERT_EQ(info->n_deps, 3);
        ASSERT_STREQ(info->deps[0].path, "golang.org/x/mod");
        ASSERT_STREQ(info->deps[0].version, "v0.7.0");
        ASSERT_STREQ(info->deps[0].sum, "h1:mod=");
        ASSERT_FALSE(info->deps[0].replace);
        ASSERT_STREQ(info->deps[1].path, "golang.org/x/sys");
        ASSERT_FALSE(info->deps[1].sum);
        ASSERT_TRUE(info->deps[1].replace);
        ASSERT_STREQ(info->deps[1].replace->path, "../sys");
        ASSERT_STREQ(info->deps[1].replace->version, "");
        ASSERT_FALSE(info->deps[1].replace->sum);
        ASSERT_STREQ(info->deps[2].replace->path, "github.com/fork/b");
        ASSERT_STREQ(info->deps[2].replace->version, "v1.0.1");
        ASSERT_STREQ(info->deps[2].replace->sum, "h1:fork=");

        ASSERT_EQ(info->n_settings, 10);
        ASSERT_STREQ(info->settings[0].key, "-compiler");
        ASSERT_STREQ(info->settings[1].key, "-ldflags");
        ASSERT_STREQ(info->settings[1].value, "-s -w -X \"main.version=1.4.2\"");
        ASSERT_STREQ(go_buildinfo_setting(info, "CGO_CFLAGS"), "");
        ASSERT_STREQ(go_buildinfo_setting(info, "GOARCH"), "arm64");
        ASSERT_STREQ(go_buildinfo_setting(info, "vcs.revision"), "0123456789abcdef0123456789abcdef01234567");
}

/* Every class, byte order, layout, with and without section headers. */
static void test_layouts(void) {
        test_case(__func__);
        for (unsigned i = 0; i < 16; i++) {
                _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
                Spec spec = {
                        .is64 = i & 1,
                        .big_endian = i & 2,
                        .pointers = i & 4,
                        .no_sections = i & 8,
                        .version = i & 4 ? "go1.16.15" : "go1.21.0",
                        .modinfo = modinfo_full,
                };

                printf("layout: ELF%s %s-endian, %s, %s section headers\n", spec.is64 ? "64" : "32",
                       spec.big_endian ? "big" : "little", spec.pointers ? "pointers" : "inline",
                       spec.no_sections ? "without" : "with");
                info = parse_spec(&spec);
                assert_full(info, spec.version);
        }
}

/* Built outside module mode, an old Go left an empty module info; a newer one has no "mod" line. */
static void test_no_module(void) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *a = NULL, *b = NULL, *c = NULL;

        test_case(__func__);
        a = parse_spec(&(Spec) { .is64 = true, .pointers = true, .version = "go1.13" });
        ASSERT_STREQ(a->go_version, "go1.13");
        ASSERT_NULL(a->path);
        ASSERT_NULL(a->main.path);
        ASSERT_EQ(a->n_deps, 0);
        ASSERT_EQ(a->n_settings, 0);

        b = parse_spec(&(Spec) { .is64 = true, .modinfo = "path\tcmd/go\nbuild\tGOOS=linux\n" });
        ASSERT_STREQ(b->path, "cmd/go");
        ASSERT_NULL(b->main.path);
        ASSERT_EQ(b->n_settings, 1);

        /* Sentinels without a newline before the last one frame nothing. */
        c = parse_spec(&(Spec) { .modinfo = "path\tcmd/go" });
        ASSERT_NULL(c->path);
}

static void test_modinfo_lenient(void) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;

        test_case(__func__);
        /* Unknown lines are skipped, as is the empty line `go version -m` prints after "=>"; a later
         * "path" wins; a setting may repeat. */
        info = parse_spec(&(Spec) { .is64 = true, .modinfo =
                "path\tfirst\n"
                "future\tsomething new\n"
                "\n"
                "path\tsecond\n"
                "mod\tm\t(devel)\t\n"
                "build\tK=1\n"
                "build\tK=2\n"
                "build\t\"quoted key\"=`raw \\value`\n"
                "build\tu=\"caf\\u00e9 \\U0001F600 \\x41\\101\"\n" });
        ASSERT_STREQ(info->path, "second");
        ASSERT_STREQ(info->main.version, "(devel)");
        ASSERT_NULL(info->main.sum);
        ASSERT_EQ(info->n_settings, 4);
        ASSERT_STREQ(go_buildinfo_setting(info, "K"), "2");
        ASSERT_STREQ(go_buildinfo_setting(info, "quoted key"), "raw \\value");
        ASSERT_STREQ(go_buildinfo_setting(info, "u"), "caf\xc3\xa9 \xf0\x9f\x98\x80 AA");
}

static void test_modinfo_malformed(void) {
        static const struct {
                const char *modinfo;
                const char *reason;
        } bad[] = {
                { "mod\tonly-path\n",                        "line 1: expected 2 or 3 columns, got 1" },
                { "path\tp\ndep\ta\tv1\th1:x\textra\n",        "line 2: expected 2 or 3 columns, got more" },
                { "=>\tx\tv1\th1:y\n",                        "replacement without a module" },
                { "dep\ta\tv1\n=>\tb\tv2\th1:c\n=>\td\tv3\th1:e\n", "line 3: a replacement without" },
                { "dep\ta\tv1\n=>\tb\tv2\n",                  "expected 3 columns" },
                { "build\t\n",                               "without '='" },
                { "build\t=v\n",                             "without a key" },
                { "build\tnoequals\n",                       "without '='" },
                { "build\tkey with space=v\n",               "must be quoted" },
                { "build\tk=value with space\n",             "must be quoted" },
                { "build\tk=\"unterminated\n",               "invalid quoted value" },
                { "build\tk=\"a\"b\n",                       "invalid quoted value" },
                { "build\tk=\"bad \\q escape\"\n",           "invalid quoted value" },
                { "build\tk=\"\\'\"\n",                      "invalid quoted value" },
                { "build\tk=\"\\uD800\"\n",                  "invalid quoted value" },
                { "build\tk=\"\\400\"\n",                    "invalid quoted value" },
                { "build\t\"k\"v\n",                         "no '=' after the quoted key" },
                { "build\t\"k\n",                            "invalid quoted key" },
                { "build\tk=\"nul \\x00 byte\"\n",           "not UTF-8 text" },
                { "path\t\xff\xfe\n",                        "line 1: the package path is not UTF-8" },
                { "mod\tm\t\xc0\xaf\n",                      "module version is not UTF-8" },
                { "path\ta\nbuild\tk=\"\\xed\\xa0\\x80\"\n",  "line 2" },
        };

        test_case(__func__);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                printf("malformed module info %zu\n", i);
                assert_spec_error(&(Spec) { .is64 = true, .modinfo = bad[i].modinfo }, bad[i].reason);
                assert_spec_error(&(Spec) { .pointers = true, .big_endian = true, .modinfo = bad[i].modinfo },
                                  bad[i].reason);
        }

        assert_spec_error(&(Spec) { .version = "" }, "names no Go version");
        assert_spec_error(&(Spec) { .version = "go1\n\x80" }, "the Go version is not UTF-8");
}

/* The pointer layout, with pointers and lengths that lead out of the file. */
static void test_pointers_malformed(void) {
        Spec spec = { .is64 = true, .pointers = true, .modinfo = "path\tp\n" };
        _cleanup_(buf_done) Buf b = build_elf(&spec);
        size_t header = find_magic(&b), strings = header + 32;
        uint64_t v;

        test_case(__func__);
        /* The version pointer into nothing. */
        v = get(&b, header + 16, 8, false);
        put(&b, header + 16, 0x1234, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "string header of the Go version at address 0x1234 is not in");
        put(&b, header + 16, v, 8, false);

        /* A string header pointing half into its segment. */
        put(&b, header + 16 + 8, BASE_ADDR + b.size - 8, 8, false);
        assert_error(b.data, b.size, -EBADMSG, NULL);
        put(&b, header + 16 + 8, BASE_ADDR + strings + 16, 8, false);

        /* A length past the end of the read-only segment. */
        v = get(&b, strings + 8, 8, false);
        put(&b, strings + 8, 1U << 20, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "the Go version at address 0x400100 (1048576 bytes) runs past");
        put(&b, strings + 8, UINT64_MAX, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "runs past");
        put(&b, strings + 8, v, 8, false);

        /* Zero pointers, as a position-independent program linked by an old Go has in its file. */
        v = get(&b, header + 16, 8, false);
        put(&b, header + 16, 0, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "pointer to the string header of the Go version is zero");
        put(&b, header + 16, v, 8, false);
        v = get(&b, strings, 8, false);
        put(&b, strings, 0, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "pointer to the Go version is zero in the file");
        put(&b, strings, v, 8, false);

        /* A pointer size of neither 4 nor 8. */
        b.data[header + 14] = 2;
        assert_error(b.data, b.size, -EBADMSG, "pointer size of 2 bytes");
        b.data[header + 14] = 8;

        go_buildinfo_free(parse_ok(b.data, b.size));
}

static void test_inline_malformed(void) {
        Spec spec = { .modinfo = "path\tp\n" };
        _cleanup_(buf_done) Buf b = build_elf(&spec);
        size_t header = find_magic(&b);

        test_case(__func__);
        /* The section ends 16-aligned after the module info: lengths beyond it are refused. */
        b.data[header + 32] = 0x7f;
        assert_error(b.data, b.size, -EBADMSG, "the Go version (127 bytes) runs past the end");
        /* A varint that never ends. */
        memset(b.data + header + 32, 0xff, 16);
        assert_error(b.data, b.size, -EBADMSG, "length of the Go version in the build info is malformed");
}

static void test_elf_malformed(void) {
        Spec spec = { .is64 = true, .modinfo = "path\tp\n" };
        _cleanup_(buf_done) Buf b = build_elf(&spec);

        test_case(__func__);
        b.data[EI_CLASS] = 3;
        assert_error(b.data, b.size, -EBADMSG, "unknown ELF class 3");
        b.data[EI_CLASS] = ELFCLASS64;
        b.data[EI_DATA] = 0;
        assert_error(b.data, b.size, -EBADMSG, "unknown ELF byte order 0");
        b.data[EI_DATA] = ELFDATA2LSB;
        b.data[EI_VERSION] = 2;
        assert_error(b.data, b.size, -EBADMSG, "unknown ELF version 2");
        b.data[EI_VERSION] = EV_CURRENT;

        /* Table entries smaller than the structures. */
        put(&b, offsetof(Elf64_Ehdr, e_phentsize), 8, 2, false);
        assert_error(b.data, b.size, -EBADMSG, "program header table entries are 8 bytes");
        put(&b, offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf64_Phdr), 2, false);

        /* Section counts and offsets out of range, also when overflowing. */
        put(&b, offsetof(Elf64_Ehdr, e_shnum), 0xfff0, 2, false);
        assert_error(b.data, b.size, -EBADMSG, "section header table");
        put(&b, offsetof(Elf64_Ehdr, e_shnum), 4, 2, false);
        put(&b, offsetof(Elf64_Ehdr, e_shoff), UINT64_MAX - 8, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "section header table");
        put(&b, offsetof(Elf64_Ehdr, e_phoff), UINT64_MAX, 8, false);
        assert_error(b.data, b.size, -EBADMSG, "program header table");
}

/* The extended numbering: section count and name table index kept in section 0. */
static void test_elf_extended_numbering(void) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
        Spec spec = { .is64 = true, .modinfo = "path\tp\n" };
        _cleanup_(buf_done) Buf b = build_elf(&spec);
        uint64_t shoff;

        test_case(__func__);
        shoff = get(&b, offsetof(Elf64_Ehdr, e_shoff), 8, false);
        put(&b, offsetof(Elf64_Ehdr, e_shnum), 0, 2, false);
        put(&b, offsetof(Elf64_Ehdr, e_shstrndx), SHN_XINDEX, 2, false);
        put(&b, shoff + offsetof(Elf64_Shdr, sh_size), 4, 8, false);
        put(&b, shoff + offsetof(Elf64_Shdr, sh_link), 3, 4, false);
        info = parse_ok(b.data, b.size);
        ASSERT_STREQ(info->path, "p");

        /* A name table index past the sections. */
        put(&b, shoff + offsetof(Elf64_Shdr, sh_link), 9, 4, false);
        assert_error(b.data, b.size, -EBADMSG, "section name table is section 9, but there are only 4");
}

/* Each cut of a small ELF, with and without sections, in every layout: an error, never a crash. */
static void test_every_cut(void) {
        test_case(__func__);
        for (unsigned i = 0; i < 16; i++) {
                Spec spec = { .is64 = i & 1, .big_endian = i & 2, .pointers = i & 4, .no_sections = i & 8,
                              .modinfo = modinfo_full };
                _cleanup_(buf_done) Buf b = build_elf(&spec);

                for (size_t cut = 0; cut < b.size; cut++) {
                        GoBuildInfo *info = NULL;
                        int r;

                        r = parse_copy(b.data, cut, &info, NULL);
                        /* Without section headers, a cut after the data segment (in the section
                         * names and headers left behind) leaves everything needed. */
                        if (r == 0) {
                                ASSERT_TRUE(spec.no_sections);
                                go_buildinfo_free(info);
                                continue;
                        }
                        ASSERT_TRUE(IN_SET(r, -ENOEXEC, -EBADMSG));
                }
        }
}

static void test_read_fd(void) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
        _cleanup_(buf_done) Buf b = build_elf(&(Spec) { .is64 = true, .modinfo = modinfo_full });
        _cleanup_close_ int fd = -EBADF, dir = -EBADF;
        _cleanup_free_ char *reason = NULL;
        int pipefd[2];

        test_case(__func__);
        /* A regular file; a bound below its size. */
        fd = memfd_create("go-program", MFD_CLOEXEC);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, b.data, b.size), (ssize_t) b.size);
        ASSERT_OK_ZERO(go_buildinfo_read_fd(fd, b.size, &info, NULL));
        assert_full(info, "go1.17.13");
        ASSERT_ERROR(go_buildinfo_read_fd(fd, b.size - 1, &info, NULL), EFBIG);

        /* An empty file. */
        ASSERT_OK_ZERO_ERRNO(ftruncate(fd, 0));
        ASSERT_ERROR(go_buildinfo_read_fd(fd, b.size, &info, &reason), ENOEXEC);
        ASSERT_NOT_NULL(strstr(reason, "empty"));

        /* A pipe is read. */
        ASSERT_OK_ZERO_ERRNO(pipe2(pipefd, O_CLOEXEC));
        ASSERT_EQ(write(pipefd[1], b.data, b.size), (ssize_t) b.size);
        close(pipefd[1]);
        go_buildinfo_free(info);
        info = NULL;
        ASSERT_OK_ZERO(go_buildinfo_read_fd(pipefd[0], b.size, &info, NULL));
        ASSERT_STREQ(info->path, "example.com/hello/cmd/hello");
        close(pipefd[0]);

        /* A pipe longer than the bound. */
        ASSERT_OK_ZERO_ERRNO(pipe2(pipefd, O_CLOEXEC));
        ASSERT_EQ(write(pipefd[1], b.data, b.size), (ssize_t) b.size);
        close(pipefd[1]);
        ASSERT_ERROR(go_buildinfo_read_fd(pipefd[0], 100, &info, NULL), EFBIG);
        close(pipefd[0]);

        dir = open("/", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_GE(dir, 0);
        ASSERT_ERROR(go_buildinfo_read_fd(dir, b.size, &info, NULL), EISDIR);
}

/* With GO_BUILDINFO_WRITE_CORPUS=DIR, the ELF files built here are written as the fuzzer's seeds. */
static void write_corpus(const char *dir) {
        static const struct {
                const char *name;
                Spec spec;
        } seeds[] = {
                { "inline-64le",           { .is64 = true, .modinfo = modinfo_full } },
                { "inline-32be-stripped",  { .big_endian = true, .no_sections = true, .modinfo = modinfo_full } },
                { "pointers-64be",         { .is64 = true, .big_endian = true, .pointers = true,
                                             .modinfo = modinfo_full } },
                { "pointers-32le-stripped", { .pointers = true, .no_sections = true, .modinfo = modinfo_full } },
                { "not-go-64le",           { .is64 = true, .no_buildinfo = true } },
        };
        _cleanup_close_ int dir_fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);

        ASSERT_GE(dir_fd, 0);
        for (size_t i = 0; i < ELEMENTSOF(seeds); i++) {
                _cleanup_(buf_done) Buf b = build_elf(&seeds[i].spec);

                ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, seeds[i].name, b.data, b.size, 0644));
        }
}

int main(void) {
        const char *corpus = getenv("GO_BUILDINFO_WRITE_CORPUS");
        _cleanup_free_ char *go = go_tool();

        setvbuf(stdout, NULL, _IOLBF, 0);

        if (corpus) {
                write_corpus(corpus);
                return 0;
        }

        test_not_elf();
        test_not_go();
        test_layouts();
        test_no_module();
        test_modinfo_lenient();
        test_modinfo_malformed();
        test_pointers_malformed();
        test_inline_malformed();
        test_elf_malformed();
        test_elf_extended_numbering();
        test_every_cut();
        test_read_fd();
        test_real_programs(go);
        test_real_truncated(go);
        return test_done();
}
