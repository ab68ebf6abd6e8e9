#!/usr/bin/python3
"""The benchmark scene (bench/scene.ini) drawn by matplotlib, for
bench/render_bench.sh to time a peer in the same run.

What it draws per frame, as a careful matplotlib animation would: the 30x30
loss surface of sin(b*cos(a*x)) over a, b in [-2, 7] (rainbow, alpha 0.6),
the descent trail so far and the ball, a title, the camera turning from
azimuth -155, elevation 35 to -65, 40 over the 12 s; 360 frames at 30 fps.
The surface is drawn once; per frame only the trail, the ball and the view
change (the usual grab_frame loop). Render only: each frame is drawn and
its pixels taken from the canvas, nothing is encoded.

With "panels" as a third argument it also draws what gdrender's
`[layout] panels = surface, contour, loss` adds: a contour map of the loss
with the trail and the ball, and the loss against step (log scale) with
the current step marked, beside the 3D view.

Usage: mpl_scene.py WIDTH HEIGHT [panels]
(prints the seconds the 360 frames took)
"""
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    width, height = int(sys.argv[1]), int(sys.argv[2])
    panels = len(sys.argv) > 3 and sys.argv[3] == "panels"
    rng = np.random.default_rng(1)
    x = np.linspace(-1, 1, 200)
    y = np.sin(2.5 * np.cos(1.2 * x)) + rng.normal(0, 0.1, x.size)

    # The loss over the grid, vectorised over the data.
    a = np.linspace(-2, 7, 30)
    b = np.linspace(-2, 7, 30)
    A, B = np.meshgrid(a, b)
    pred = np.sin(B[..., None] * np.cos(A[..., None] * x))
    Z = np.mean((pred - y) ** 2, axis=-1)

    # Gradient descent from (2, 4.5), LR 0.1, 400 steps.
    p = np.array([2.0, 4.5])
    path = [p.copy()]
    for _ in range(400):
        c = np.cos(p[0] * x)
        r = np.sin(p[1] * c) - y
        g_common = 2 * r * np.cos(p[1] * c) / x.size
        grad = np.array([np.sum(g_common * p[1] * -np.sin(p[0] * x) * x), np.sum(g_common * c)])
        p = p - 0.1 * grad
        path.append(p.copy())
    path = np.array(path)
    zpath = np.mean((np.sin(path[:, 1:2] * np.cos(path[:, 0:1] * x)) - y) ** 2, axis=1)

    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    if panels:
        grid = fig.add_gridspec(2, 2, width_ratios=[2, 1])
        ax = fig.add_subplot(grid[:, 0], projection="3d")
        cmap = fig.add_subplot(grid[0, 1])
        cmap.contour(A, B, Z, levels=12, cmap="rainbow")
        cmap.set_xlabel("a")
        cmap.set_ylabel("b")
        (map_trail,) = cmap.plot([], [], color="tab:red", linewidth=2)
        (map_ball,) = cmap.plot([], [], "o", color="tab:red", markersize=6)
        lossax = fig.add_subplot(grid[1, 1])
        lossax.set_yscale("log")
        lossax.set_xlim(0, 400)
        lossax.set_ylim(zpath.min() * 0.8, zpath.max() * 1.25)
        lossax.set_xlabel("step")
        lossax.set_ylabel("loss")
        (loss_line,) = lossax.plot([], [], color="tab:red", linewidth=2)
        (loss_ball,) = lossax.plot([], [], "o", color="tab:red", markersize=6)
    else:
        ax = fig.add_subplot(projection="3d")
    ax.plot_surface(A, B, Z, cmap="rainbow", alpha=0.6, linewidth=0)
    ax.set_xlabel("a")
    ax.set_ylabel("b")
    ax.set_zlabel("loss")
    ax.set_title("Benchmark: y = sin(b·cos(a·x))")
    (trail,) = ax.plot([], [], [], color="tab:red", linewidth=2)
    (ball,) = ax.plot([], [], [], "o", color="tab:red", markersize=8)

    frames = 360
    start = time.perf_counter()
    for k in range(frames):
        t = k / 30.0
        step = min(400, int(round(400 * min(t, 10.0) / 10.0)))
        trail.set_data_3d(path[: step + 1, 0], path[: step + 1, 1], zpath[: step + 1])
        ball.set_data_3d(path[step : step + 1, 0], path[step : step + 1, 1], zpath[step : step + 1])
        if panels:
            map_trail.set_data(path[: step + 1, 0], path[: step + 1, 1])
            map_ball.set_data(path[step : step + 1, 0], path[step : step + 1, 1])
            loss_line.set_data(np.arange(step + 1), zpath[: step + 1])
            loss_ball.set_data([step], zpath[step : step + 1])
        u = t / 12.0
        ax.view_init(elev=35 + 5 * u, azim=-155 + 90 * u)
        fig.canvas.draw()
        np.asarray(fig.canvas.buffer_rgba())
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
