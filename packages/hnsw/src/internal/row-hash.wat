;; Row hashes of the node checksums of format version 2 (row-hash.ts beside this file holds the
;; bytes, checked against this text by test/row-hash.test.ts with wabt; the TypeScript twin there
;; computes the same words without WebAssembly).
;;
;; hash_rows(src, rowBytes, count, out) -> nonFinite: for each of `count` rows of `rowBytes` bytes
;; (a multiple of 4) from byte `src`, two 32-bit words at `out + 8r`: h1 from four xor-multiply-rotate
;; chains (a0..a3, four i32 lanes each), h2 from four add-multiply-rotate chains (b0..b3). Each
;; 64-byte block feeds 16 bytes to each chain (eight independent multiply chains, so the loop runs
;; at the speed of loads, not of multiply latency); a last 16-byte or shorter (zero-filled) piece
;; goes to a0/b0. Every step is a bijection of the chain state and of the input word, so a row that
;; differs in one word always gives other chain states. The chains are folded (multiply by k, xor
;; the next) and the four lanes combined into one word each. Returns 1 when some word, read as a
;; float32, has all exponent bits set (NaN or infinity), else 0. The caller seeds and finishes each
;; word (row-hash.ts).
;;
;; The memory is imported (shared, never grown by this module): row-hash.ts gives it either its own
;; one-page memory, into which rows are copied a chunk at a time, or an index's vector memory, whose
;; rows it then hashes where they lie (a load verifying node checksums: no copy). The non-finite
;; test keeps the largest exponent field seen (one `max_u` per 16 bytes) and compares it once at
;; the end.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "hash_rows") (param $src i32) (param $rowBytes i32) (param $count i32) (param $out i32) (result i32)
    (local $p i32) (local $end i32) (local $rowEnd i32)
    (local $x v128) (local $nf v128) (local $p1 v128) (local $p2 v128) (local $k v128) (local $exp v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local.set $p1 (i32x4.splat (i32.const -1640531535)))
    (local.set $p2 (i32x4.splat (i32.const -2048144777)))
    (local.set $k (i32x4.splat (i32.const -1028477379)))
    (local.set $exp (i32x4.splat (i32.const 0x7f800000)))
    (local.set $p (local.get $src))
    (local.set $end (i32.add (local.get $src) (i32.mul (local.get $rowBytes) (local.get $count))))
    (block $rows_done
      (br_if $rows_done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $rows
        (local.set $a0 (v128.const i32x4 608135816 -2052912941 320440878 57701188))
        (local.set $b0 (v128.const i32x4 -1542899678 698298832 137296536 -330404727))
        (local.set $a1 (v128.const i32x4 608135816 -2052912941 320440878 57701188))
        (local.set $b1 (v128.const i32x4 -1542899678 698298832 137296536 -330404727))
        (local.set $a2 (v128.const i32x4 608135816 -2052912941 320440878 57701188))
        (local.set $b2 (v128.const i32x4 -1542899678 698298832 137296536 -330404727))
        (local.set $a3 (v128.const i32x4 608135816 -2052912941 320440878 57701188))
        (local.set $b3 (v128.const i32x4 -1542899678 698298832 137296536 -330404727))
        (local.set $rowEnd (i32.add (local.get $p) (local.get $rowBytes)))
        (block $blocks_done
          (br_if $blocks_done (i32.gt_u (i32.add (local.get $p) (i32.const 64)) (local.get $rowEnd)))
          (loop $blocks
            (local.set $x (v128.load (local.get $p)))
            (local.set $a0 (i32x4.mul (v128.xor (local.get $a0) (local.get $x)) (local.get $p1)))
            (local.set $a0 (v128.or (i32x4.shl (local.get $a0) (i32.const 15)) (i32x4.shr_u (local.get $a0) (i32.const 17))))
            (local.set $b0 (i32x4.mul (i32x4.add (local.get $b0) (local.get $x)) (local.get $p2)))
            (local.set $b0 (v128.or (i32x4.shl (local.get $b0) (i32.const 13)) (i32x4.shr_u (local.get $b0) (i32.const 19))))
            (local.set $nf (i32x4.max_u (local.get $nf) (v128.and (local.get $x) (local.get $exp))))
            (local.set $x (v128.load offset=16 (local.get $p)))
            (local.set $a1 (i32x4.mul (v128.xor (local.get $a1) (local.get $x)) (local.get $p1)))
            (local.set $a1 (v128.or (i32x4.shl (local.get $a1) (i32.const 15)) (i32x4.shr_u (local.get $a1) (i32.const 17))))
            (local.set $b1 (i32x4.mul (i32x4.add (local.get $b1) (local.get $x)) (local.get $p2)))
            (local.set $b1 (v128.or (i32x4.shl (local.get $b1) (i32.const 13)) (i32x4.shr_u (local.get $b1) (i32.const 19))))
            (local.set $nf (i32x4.max_u (local.get $nf) (v128.and (local.get $x) (local.get $exp))))
            (local.set $x (v128.load offset=32 (local.get $p)))
            (local.set $a2 (i32x4.mul (v128.xor (local.get $a2) (local.get $x)) (local.get $p1)))
            (local.set $a2 (v128.or (i32x4.shl (local.get $a2) (i32.const 15)) (i32x4.shr_u (local.get $a2) (i32.const 17))))
            (local.set $b2 (i32x4.mul (i32x4.add (local.get $b2) (local.get $x)) (local.get $p2)))
            (local.set $b2 (v128.or (i32x4.shl (local.get $b2) (i32.const 13)) (i32x4.shr_u (local.get $b2) (i32.const 19))))
            (local.set $nf (i32x4.max_u (local.get $nf) (v128.and (local.get $x) (local.get $exp))))
            (local.set $x (v128.load offset=48 (local.get $p)))
            (local.set $a3 (i32x4.mul (v128.xor (local.get $a3) (local.get $x)) (local.get $p1)))
            (local.set $a3 (v128.or (i32x4.shl (local.get $a3) (i32.const 15)) (i32x4.shr_u (local.get $a3) (i32.const 17))))
            (local.set $b3 (i32x4.mul (i32x4.add (local.get $b3) (local.get $x)) (local.get $p2)))
            (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 13)) (i32x4.shr_u (local.get $b3) (i32.const 19))))
            (local.set $nf (i32x4.max_u (local.get $nf) (v128.and (local.get $x) (local.get $exp))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (br_if $blocks (i32.le_u (i32.add (local.get $p) (i32.const 64)) (local.get $rowEnd)))))
        (block $quads_done
          (br_if $quads_done (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $rowEnd)))
          (loop $quads
            (local.set $x (v128.load (local.get $p)))
            (local.set $a0 (i32x4.mul (v128.xor (local.get $a0) (local.get $x)) (local.get $p1)))
            (local.set $a0 (v128.or (i32x4.shl (local.get $a0) (i32.const 15)) (i32x4.shr_u (local.get $a0) (i32.const 17))))
            (local.set $b0 (i32x4.mul (i32x4.add (local.get $b0) (local.get $x)) (local.get $p2)))
            (local.set $b0 (v128.or (i32x4.shl (local.get $b0) (i32.const 13)) (i32x4.shr_u (local.get $b0) (i32.const 19))))
            (local.set $nf (i32x4.max_u (local.get $nf) (v128.and (local.get $x) (local.get $exp))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $quads (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $rowEnd)))))
        (if (i32.lt_u (local.get $p) (local.get $rowEnd))
          (then
            (local.set $x (i32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (i32.load (local.get $p))))
            (if (i32.lt_u (i32.add (local.get $p) (i32.const 4)) (local.get $rowEnd))
              (then (local.set $x (i32x4.replace_lane 1 (local.get $x) (i32.load offset=4 (local.get $p))))))
            (if (i32.lt_u (i32.add (local.get $p) (i32.const 8)) (local.get $rowEnd))
              (then (local.set $x (i32x4.replace_lane 2 (local.get $x) (i32.load offset=8 (local.get $p))))))
            (local.set $a0 (i32x4.mul (v128.xor (local.get $a0) (local.get $x)) (local.get $p1)))
            (local.set $a0 (v128.or (i32x4.shl (local.get $a0) (i32.const 15)) (i32x4.shr_u (local.get $a0) (i32.const 17))))
            (local.set $b0 (i32x4.mul (i32x4.add (local.get $b0) (local.get $x)) (local.get $p2)))
            (local.set $b0 (v128.or (i32x4.shl (local.get $b0) (i32.const 13)) (i32x4.shr_u (local.get $b0) (i32.const 19))))
            (local.set $nf (i32x4.max_u (local.get $nf) (v128.and (local.get $x) (local.get $exp))))
            (local.set $p (local.get $rowEnd))))
        (local.set $a0 (v128.xor (i32x4.mul (local.get $a0) (local.get $k)) (local.get $a1)))
        (local.set $a0 (v128.xor (i32x4.mul (local.get $a0) (local.get $k)) (local.get $a2)))
        (local.set $a0 (v128.xor (i32x4.mul (local.get $a0) (local.get $k)) (local.get $a3)))
        (local.set $b0 (v128.xor (i32x4.mul (local.get $b0) (local.get $k)) (local.get $b1)))
        (local.set $b0 (v128.xor (i32x4.mul (local.get $b0) (local.get $k)) (local.get $b2)))
        (local.set $b0 (v128.xor (i32x4.mul (local.get $b0) (local.get $k)) (local.get $b3)))
        (i32.store (local.get $out) (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32x4.extract_lane 0 (local.get $a0)) (i32.const 668265263)) (i32x4.extract_lane 1 (local.get $a0))) (i32.const 668265263)) (i32x4.extract_lane 2 (local.get $a0))) (i32.const 668265263)) (i32x4.extract_lane 3 (local.get $a0))))
        (i32.store offset=4 (local.get $out) (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32x4.extract_lane 0 (local.get $b0)) (i32.const 668265263)) (i32x4.extract_lane 1 (local.get $b0))) (i32.const 668265263)) (i32x4.extract_lane 2 (local.get $b0))) (i32.const 668265263)) (i32x4.extract_lane 3 (local.get $b0))))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $rows (i32.lt_u (local.get $p) (local.get $end)))))
    (v128.any_true (i32x4.eq (local.get $nf) (local.get $exp)))))
