/* Build helper: turns a data file into a C source that defines a byte array and its length,
 * so the config schema is compiled into libarvis. Usage: embed INPUT OUTPUT SYMBOL */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s INPUT OUTPUT SYMBOL\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror(argv[2]);
        fclose(in);
        return 1;
    }
    fprintf(out, "/* Generated from %s by scripts/embed.c; do not edit. */\n", argv[1]);
    fprintf(out, "#include <stddef.h>\n");
    fprintf(out, "const char %s[] = {\n", argv[3]);
    size_t n = 0;
    int c;
    while ((c = fgetc(in)) != EOF) {
        fprintf(out, "%d,%s", c, (++n % 20) ? "" : "\n");
    }
    fprintf(out, "0};\nconst size_t %s_len = %zu;\n", argv[3], n);
    int failed = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0 || failed) {
        fprintf(stderr, "embed: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
