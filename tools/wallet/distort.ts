/**
 * Camera-like distortions of a QR picture, in plain JavaScript on grey pixels, for the
 * decoder benchmark and tests: blur, noise, rotation, perspective, low contrast, and a
 * 1280x720 frame with the code small in it. Deterministic (seeded) so runs compare.
 */
import { renderQrGrey, type GreyImage } from './qr-image';

export interface RgbaFrame {
  data: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

/** A seeded PRNG (mulberry32), so the "random" noise is the same every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(img: GreyImage, x: number, y: number, background: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number): number =>
    xx < 0 || yy < 0 || xx >= img.width || yy >= img.height ? background : (img.data[yy * img.width + xx] as number);
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * Places `img` in a width x height frame through a projective map: `corners` are where the
 * picture's top-left, top-right, bottom-right, bottom-left corners land in the frame.
 */
export function warpInto(img: GreyImage, width: number, height: number, corners: [number, number][], background = 200): GreyImage {
  // Homography from frame to picture (inverse map), solved from the four corner pairs.
  const src: [number, number][] = [
    [0, 0],
    [img.width, 0],
    [img.width, img.height],
    [0, img.height],
  ];
  const h = homography(corners, src);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = (h[6] as number) * x + (h[7] as number) * y + 1;
      const sx = ((h[0] as number) * x + (h[1] as number) * y + (h[2] as number)) / w;
      const sy = ((h[3] as number) * x + (h[4] as number) * y + (h[5] as number)) / w;
      out[y * width + x] = sample(img, sx, sy, background);
    }
  }
  return { width, height, data: out };
}

/** Solves the 8 homography coefficients mapping `from` points to `to` points. */
function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as [number, number];
    const [u, v] = to[i] as [number, number];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8x9 augmented matrix.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[p] as number[])[c] as number)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    const row = a[c] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const f = (other[c] as number) / (row[c] as number);
      for (let k = c; k < 9; k++) other[k] = (other[k] as number) - f * (row[k] as number);
    }
  }
  return a.map((row, c) => (row[8] as number) / (row[c] as number));
}

/** Corners of the picture centred at (cx, cy), scaled and rotated by `degrees`. */
export function placed(img: GreyImage, cx: number, cy: number, scale: number, degrees = 0): [number, number][] {
  const t = (degrees * Math.PI) / 180;
  const hw = (img.width * scale) / 2;
  const hh = (img.height * scale) / 2;
  return (
    [
      [-hw, -hh],
      [hw, -hh],
      [hw, hh],
      [-hw, hh],
    ] as [number, number][]
  ).map(([x, y]) => [cx + x * Math.cos(t) - y * Math.sin(t), cy + x * Math.sin(t) + y * Math.cos(t)]);
}

/** Box blur, `passes` times (three passes approximate a Gaussian). */
export function blur(img: GreyImage, radius: number, passes = 3): GreyImage {
  let cur = img.data;
  const { width, height } = img;
  for (let p = 0; p < passes; p++) {
    const tmp = new Uint8Array(cur.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        let n = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = x + k;
          if (xx >= 0 && xx < width) {
            s += cur[y * width + xx] as number;
            n++;
          }
        }
        tmp[y * width + x] = s / n;
      }
    }
    const out = new Uint8Array(cur.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        let n = 0;
        for (let k = -radius; k <= radius; k++) {
          const yy = y + k;
          if (yy >= 0 && yy < height) {
            s += tmp[yy * width + x] as number;
            n++;
          }
        }
        out[y * width + x] = s / n;
      }
    }
    cur = out;
  }
  return { width, height, data: cur };
}

/** Additive Gaussian noise with standard deviation `sigma` (grey levels). */
export function noise(img: GreyImage, sigma: number, seed = 1): GreyImage {
  const rnd = seeded(seed);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    // Box-Muller.
    const g = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    out[i] = Math.max(0, Math.min(255, (img.data[i] as number) + g * sigma));
  }
  return { ...img, data: out };
}

/** Maps black to `low` and white to `high` (a dim phone screen under desk lights). */
export function contrast(img: GreyImage, low: number, high: number): GreyImage {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = low + ((img.data[i] as number) / 255) * (high - low);
  return { ...img, data: out };
}

export function toRgba(img: GreyImage): RgbaFrame {
  const data = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0; i < img.data.length; i++) {
    const v = img.data[i] as number;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { data, width: img.width, height: img.height };
}

export interface ScanVariant {
  name: string;
  /** Which distortion family, for success rates per distortion. */
  family: 'clean' | 'small' | 'blur' | 'noise' | 'rotation' | 'perspective' | 'low-contrast' | 'combined';
  frame: RgbaFrame;
}

export const FRAME_WIDTH = 1280;
export const FRAME_HEIGHT = 720;

/**
 * The distorted image set: each variant is a 1280x720 camera frame with the code somewhere
 * in it. The code is drawn at 4 pixels a module and scaled into the frame.
 */
export function makeScanVariants(code: string, seed = 1): ScanVariant[] {
  const qr = renderQrGrey(code, 4);
  const W = FRAME_WIDTH;
  const H = FRAME_HEIGHT;
  const fit = (H * 0.8) / qr.height;
  const centre = (scale: number, deg = 0): [number, number][] => placed(qr, W / 2, H / 2, scale, deg);
  const frame = (corners: [number, number][]): GreyImage => warpInto(qr, W, H, corners);
  const trapezoid = (squeeze: number): [number, number][] => {
    const c = centre(fit);
    const [tl, tr, br, bl] = c as [[number, number], [number, number], [number, number], [number, number]];
    const dx = (tr[0] - tl[0]) * squeeze * 0.5;
    return [
      [tl[0] + dx, tl[1] + dx * 0.3],
      [tr[0] - dx, tr[1] - dx * 0.1],
      br,
      bl,
    ];
  };
  const clean = frame(centre(fit));
  const v = (name: string, family: ScanVariant['family'], img: GreyImage): ScanVariant => ({ name, family, frame: toRgba(img) });
  return [
    v('clean', 'clean', clean),
    v('small 2.5 px/module, off-centre', 'small', warpInto(qr, W, H, placed(qr, W * 0.7, H * 0.4, 2.5 / 4))),
    v('small 2 px/module', 'small', frame(centre(2 / 4))),
    v('blur radius 1', 'blur', blur(clean, 1)),
    v('blur radius 2', 'blur', blur(clean, 2)),
    v('noise sigma 30', 'noise', noise(clean, 30, seed)),
    v('noise sigma 60', 'noise', noise(clean, 60, seed + 1)),
    v('rotation 10 deg', 'rotation', frame(centre(fit * 0.9, 10))),
    v('rotation 30 deg', 'rotation', frame(centre(fit * 0.8, 30))),
    v('rotation 45 deg', 'rotation', frame(centre(fit * 0.7, 45))),
    v('perspective 15%', 'perspective', frame(trapezoid(0.15))),
    v('perspective 30%', 'perspective', frame(trapezoid(0.3))),
    v('low contrast 90-160', 'low-contrast', contrast(clean, 90, 160)),
    v('low contrast 115-145', 'low-contrast', contrast(clean, 115, 145)),
    v('combined: 8 deg, light blur, noise 12, contrast 70-185', 'combined', noise(contrast(blur(frame(centre(fit * 0.85, 8)), 1, 1), 70, 185), 12, seed + 2)),
  ];
}
