/*
 * Reference implementation of the iALS sweep Cartwise's src/models/recommend/ials.ts runs
 * (conjugate-gradient solve per row, warm start, confidence 1 + alpha * r), single-threaded C,
 * used by bench/train.ts to put the TypeScript kernel's speed next to native code in the same run.
 *
 *   cc -O3 -march=native -o ials bench/reference/ials.c -lm
 *   ./ials MATRIX.bin FACTORS ITERATIONS CG_STEPS ALPHA REG
 *
 * MATRIX.bin: uint32 rows, uint32 cols, uint32 nnz, then indptr[rows+1] (uint32), indices[nnz]
 * (uint32), values[nnz] (float32). Prints one line per iteration: "iteration <i> <seconds>".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  uint32_t rows, cols, nnz;
  uint32_t *indptr, *indices;
  float *values;
} csr;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float dot(const float *a, const float *b, int n) {
  float s = 0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static void gram(const float *a, uint32_t rows, int f, float reg, float *out) {
  double *acc = calloc((size_t)f * f, sizeof(double));
  for (uint32_t r = 0; r < rows; r++)
    for (int i = 0; i < f; i++)
      for (int j = i; j < f; j++) acc[i * f + j] += (double)a[(size_t)r * f + i] * a[(size_t)r * f + j];
  for (int i = 0; i < f; i++)
    for (int j = i; j < f; j++) {
      float v = (float)(acc[i * f + j] + (i == j ? reg : 0));
      out[i * f + j] = v;
      out[j * f + i] = v;
    }
  free(acc);
}

static void solve(const csr *m, float *x_all, const float *y, const float *yty, int f, float alpha, int steps) {
  float *r = malloc(f * sizeof(float)), *p = malloc(f * sizeof(float)), *ap = malloc(f * sizeof(float));
  for (uint32_t u = 0; u < m->rows; u++) {
    float *x = x_all + (size_t)u * f;
    for (int j = 0; j < f; j++) r[j] = -dot(yty + j * f, x, f);
    for (uint32_t q = m->indptr[u]; q < m->indptr[u + 1]; q++) {
      float c = 1 + alpha * m->values[q];
      const float *yi = y + (size_t)m->indices[q] * f;
      float w = c - (c - 1) * dot(yi, x, f);
      for (int j = 0; j < f; j++) r[j] += w * yi[j];
    }
    memcpy(p, r, f * sizeof(float));
    float rs = dot(r, r, f);
    for (int s = 0; s < steps && rs > 1e-20f; s++) {
      for (int j = 0; j < f; j++) ap[j] = dot(yty + j * f, p, f);
      for (uint32_t q = m->indptr[u]; q < m->indptr[u + 1]; q++) {
        float c = 1 + alpha * m->values[q];
        const float *yi = y + (size_t)m->indices[q] * f;
        float w = (c - 1) * dot(yi, p, f);
        for (int j = 0; j < f; j++) ap[j] += w * yi[j];
      }
      float a = rs / dot(p, ap, f);
      for (int j = 0; j < f; j++) {
        x[j] += a * p[j];
        r[j] -= a * ap[j];
      }
      float next = dot(r, r, f);
      for (int j = 0; j < f; j++) p[j] = r[j] + (next / rs) * p[j];
      rs = next;
    }
  }
  free(r);
  free(p);
  free(ap);
}

static csr transpose(const csr *m) {
  csr t = {m->cols, m->rows, m->nnz};
  t.indptr = calloc(t.rows + 1, sizeof(uint32_t));
  t.indices = malloc(m->nnz * sizeof(uint32_t));
  t.values = malloc(m->nnz * sizeof(float));
  for (uint32_t k = 0; k < m->nnz; k++) t.indptr[m->indices[k] + 1]++;
  for (uint32_t i = 0; i < t.rows; i++) t.indptr[i + 1] += t.indptr[i];
  uint32_t *next = malloc(t.rows * sizeof(uint32_t));
  memcpy(next, t.indptr, t.rows * sizeof(uint32_t));
  for (uint32_t r = 0; r < m->rows; r++)
    for (uint32_t k = m->indptr[r]; k < m->indptr[r + 1]; k++) {
      uint32_t at = next[m->indices[k]]++;
      t.indices[at] = r;
      t.values[at] = m->values[k];
    }
  free(next);
  return t;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: ials MATRIX.bin FACTORS ITERATIONS CG_STEPS ALPHA REG\n");
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (!in) {
    perror(argv[1]);
    return 1;
  }
  csr m;
  if (fread(&m.rows, 4, 1, in) != 1 || fread(&m.cols, 4, 1, in) != 1 || fread(&m.nnz, 4, 1, in) != 1) return 1;
  m.indptr = malloc((m.rows + 1) * 4);
  m.indices = malloc(m.nnz * 4);
  m.values = malloc(m.nnz * 4);
  if (fread(m.indptr, 4, m.rows + 1, in) != m.rows + 1 || fread(m.indices, 4, m.nnz, in) != m.nnz ||
      fread(m.values, 4, m.nnz, in) != m.nnz)
    return 1;
  fclose(in);
  int f = atoi(argv[2]), iterations = atoi(argv[3]), steps = atoi(argv[4]);
  float alpha = (float)atof(argv[5]), reg = (float)atof(argv[6]);
  csr t = transpose(&m);
  float *users = malloc((size_t)m.rows * f * sizeof(float)), *items = malloc((size_t)m.cols * f * sizeof(float));
  unsigned s = 42;
  for (size_t i = 0; i < (size_t)m.rows * f; i++) users[i] = ((s = s * 1103515245 + 12345) >> 16 & 0x7fff) / 32768.0f * 0.02f - 0.01f;
  for (size_t i = 0; i < (size_t)m.cols * f; i++) items[i] = ((s = s * 1103515245 + 12345) >> 16 & 0x7fff) / 32768.0f * 0.02f - 0.01f;
  float *yty = malloc((size_t)f * f * sizeof(float));
  for (int it = 0; it < iterations; it++) {
    double t0 = now();
    gram(items, m.cols, f, reg, yty);
    solve(&m, users, items, yty, f, alpha, steps);
    gram(users, m.rows, f, reg, yty);
    solve(&t, items, users, yty, f, alpha, steps);
    printf("iteration %d %.6f\n", it, now() - t0);
    fflush(stdout);
  }
  return 0;
}
