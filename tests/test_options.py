"""Tests of finbook.options: Black-Scholes against QuantLib, a textbook value and no-arbitrage
properties; implied volatility; Heston via QuantLib; surrogates; hedging. The networks, their
loss, training step and Greeks and the delta hedge are taught in chapters 15 and 16 and tested
here from finbook.lessons (L); loans are in tests/test_lending.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from finbook import lessons as L
from finbook import options as P

# --------------------------------------------------------------------------- strategies
spots = st.floats(1.0, 500.0)
strikes = st.floats(1.0, 500.0)
maturities = st.floats(0.01, 5.0)
rates = st.floats(-0.02, 0.15)
vols = st.floats(0.02, 1.5)
dividends = st.floats(0.0, 0.08)
options = st.sampled_from(["call", "put"])


# --------------------------------------------------------------------------- known values
def test_hull_textbook_example():
    # Hull, Options, Futures and Other Derivatives: S=42, K=40, r=10%, sigma=20%, T=0.5
    # gives c = 4.76 and p = 0.81 (d1 = 0.7693, d2 = 0.6278).
    assert round(P.black_scholes_price(42, 40, 0.5, 0.10, 0.20), 2) == 4.76
    assert round(P.black_scholes_price(42, 40, 0.5, 0.10, 0.20, option="put"), 2) == 0.81


def test_hand_computed_at_the_money_value():
    # S = K = 100, r = q = 0, sigma = 0.2, T = 1: d1 = 0.1, d2 = -0.1,
    # c = 100 (N(0.1) - N(-0.1)) = 100 * 0.0796557 = 7.96557
    assert P.black_scholes_price(100, 100, 1.0, 0.0, 0.2) == pytest.approx(7.965567, abs=1e-6)
    g = P.black_scholes_greeks(100, 100, 1.0, 0.0, 0.2)
    assert g["delta"] == pytest.approx(0.5398278, abs=1e-7)  # N(0.1)
    assert g["vega"] == pytest.approx(100 * 0.3969525, abs=1e-5)  # S phi(0.1) sqrt(T)


@pytest.mark.parametrize("option", ["call", "put"])
def test_black_scholes_matches_quantlib_on_random_inputs(option):
    rng = np.random.default_rng(20240115)
    for _ in range(40):
        spot, strike = rng.uniform(20, 200), rng.uniform(20, 200)
        maturity = int(rng.integers(1, 3 * 365)) / 365
        rate, vol, div = rng.uniform(-0.01, 0.10), rng.uniform(0.05, 0.9), rng.uniform(0.0, 0.06)
        ours = P.black_scholes_greeks(spot, strike, maturity, rate, vol, option=option, dividend=div)
        ql = P.quantlib_black_scholes(spot, strike, maturity, rate, vol, option=option, dividend=div)
        for name in ("price", "delta", "gamma", "vega", "theta", "rho"):
            assert ours[name] == pytest.approx(ql[name], rel=1e-8, abs=1e-10), (name, spot, strike)


def test_quantlib_rejects_fractional_days():
    with pytest.raises(ValueError, match="whole number of days"):
        P.quantlib_black_scholes(42, 40, 0.5, 0.1, 0.2)


# --------------------------------------------------------------------------- properties
@settings(max_examples=200, deadline=None)
@given(spots, strikes, maturities, rates, vols, dividends)
def test_put_call_parity(s, k, t, r, v, q):
    c = P.black_scholes_price(s, k, t, r, v, dividend=q)
    p = P.black_scholes_price(s, k, t, r, v, option="put", dividend=q)
    assert c - p == pytest.approx(s * math.exp(-q * t) - k * math.exp(-r * t), abs=1e-9 * max(s, k))


@settings(max_examples=200, deadline=None)
@given(spots, strikes, maturities, rates, vols, dividends, options)
def test_no_arbitrage_bounds(s, k, t, r, v, q, option):
    price = P.black_scholes_price(s, k, t, r, v, option=option, dividend=q)
    fwd, pvk = s * math.exp(-q * t), k * math.exp(-r * t)
    lower = max(fwd - pvk, 0) if option == "call" else max(pvk - fwd, 0)
    upper = fwd if option == "call" else pvk
    tol = 1e-9 * max(s, k)
    assert lower - tol <= price <= upper + tol


@settings(max_examples=150, deadline=None)
@given(spots, strikes, maturities, rates, vols, st.floats(1.001, 1.5))
def test_monotonicity(s, k, t, r, v, bump):
    call = lambda **kw: P.black_scholes_price(**{"spot": s, "strike": k, "maturity": t, "rate": r,  # noqa: E731
                                                 "volatility": v, **kw})
    put = lambda **kw: P.black_scholes_price(**{"spot": s, "strike": k, "maturity": t, "rate": r,  # noqa: E731
                                                "volatility": v, "option": "put", **kw})
    tol = 1e-12 * max(s, k)
    assert call(spot=s * bump) >= call() - tol            # increasing in spot
    assert call(volatility=v * bump) >= call() - tol      # increasing in volatility
    assert call(strike=k * bump) <= call() + tol          # decreasing in strike
    assert put(spot=s * bump) <= put() + tol              # put: decreasing in spot
    assert put(strike=k * bump) >= put() - tol            # put: increasing in strike
    assert put(volatility=v * bump) >= put() - tol


@settings(max_examples=100, deadline=None)
@given(spots, strikes, maturities, rates, vols, st.floats(0.1, 10.0))
def test_homogeneity_in_spot_and_strike(s, k, t, r, v, lam):
    assert P.black_scholes_price(lam * s, lam * k, t, r, v) == pytest.approx(
        lam * P.black_scholes_price(s, k, t, r, v), rel=1e-9, abs=1e-12 * lam * max(s, k))


def test_greeks_match_finite_differences():
    s, k, t, r, v, q = 95.0, 100.0, 0.7, 0.03, 0.3, 0.01
    for option in ("call", "put"):
        g = P.black_scholes_greeks(s, k, t, r, v, option=option, dividend=q)
        f = lambda option=option, **kw: P.black_scholes_price(**{  # noqa: E731
            "spot": s, "strike": k, "maturity": t, "rate": r, "volatility": v, "option": option,
            "dividend": q, **kw})
        h = 1e-4
        assert g["delta"] == pytest.approx((f(spot=s + h) - f(spot=s - h)) / (2 * h), rel=1e-6)
        assert g["gamma"] == pytest.approx((f(spot=s + h) - 2 * f() + f(spot=s - h)) / h**2, rel=1e-4)
        assert g["vega"] == pytest.approx((f(volatility=v + h) - f(volatility=v - h)) / (2 * h), rel=1e-6)
        assert g["rho"] == pytest.approx((f(rate=r + h) - f(rate=r - h)) / (2 * h), rel=1e-6)
        # theta: the option one moment later has less time to run
        assert g["theta"] == pytest.approx(-(f(maturity=t + h) - f(maturity=t - h)) / (2 * h), rel=1e-6)


def test_limits_at_expiry_and_zero_volatility():
    assert P.black_scholes_price(110, 100, 0.0, 0.05, 0.2) == 10.0
    assert P.black_scholes_price(90, 100, 0.0, 0.05, 0.2) == 0.0
    assert P.black_scholes_price(90, 100, 1.0, 0.05, 0.0, option="put") == pytest.approx(
        100 * math.exp(-0.05) - 90)


def test_vectorised_broadcasting():
    prices = P.black_scholes_price(np.array([90.0, 100.0, 110.0]), 100, np.array([[0.5], [1.0]]), 0.01, 0.2)
    assert prices.shape == (2, 3)
    assert np.all(np.diff(prices, axis=1) > 0)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"volatility": -0.2}, "volatility must be non-negative"),
    ({"maturity": -1.0}, "maturity must be non-negative"),
    ({"spot": 0.0}, "spot must be positive"),
    ({"strike": -5.0}, "strike must be positive"),
    ({"rate": float("nan")}, "rate must be finite"),
    ({"option": "straddle"}, "option must be 'call' or 'put'"),
])
def test_clear_errors(kwargs, message):
    args = {"spot": 100, "strike": 100, "maturity": 1.0, "rate": 0.01, "volatility": 0.2, **kwargs}
    with pytest.raises(ValueError, match=message):
        P.black_scholes_price(**args)


def test_greeks_need_positive_maturity_and_volatility():
    with pytest.raises(ValueError, match="maturity must be positive"):
        P.black_scholes_greeks(100, 100, 0.0, 0.01, 0.2)
    with pytest.raises(ValueError, match="volatility must be positive"):
        P.black_scholes_greeks(100, 100, 1.0, 0.01, 0.0)


# --------------------------------------------------------------------------- implied volatility
@settings(max_examples=200, deadline=None)
@given(spots, strikes, maturities, rates, vols, dividends, options)
def test_implied_volatility_round_trip(s, k, t, r, v, q, option):
    price = P.black_scholes_price(s, k, t, r, v, option=option, dividend=q)
    vega = P.black_scholes_greeks(s, k, t, r, v, option=option, dividend=q)["vega"]
    # only where the price carries information about volatility
    assume(vega > 1e-4 * s and price > 1e-10 * s)
    iv = P.implied_volatility(price, s, k, t, r, option=option, dividend=q)
    assert iv == pytest.approx(v, abs=1e-7)


def test_implied_volatility_vectorised_deep_out_of_the_money():
    strikes_ = np.array([60.0, 100.0, 180.0, 300.0])
    prices = P.black_scholes_price(100, strikes_, 0.25, 0.02, 0.3)
    iv = P.implied_volatility(prices, 100, strikes_, 0.25, 0.02)
    np.testing.assert_allclose(iv, 0.3, atol=1e-8)


def test_implied_volatility_errors():
    with pytest.raises(ValueError, match="price must be positive"):
        P.implied_volatility(0.0, 100, 100, 1.0, 0.0)
    with pytest.raises(ValueError, match="outside the no-arbitrage bounds"):
        P.implied_volatility(150.0, 100, 100, 1.0, 0.0)  # a call is worth less than the spot
    with pytest.raises(ValueError, match="outside the no-arbitrage bounds"):
        P.implied_volatility(5.0, 120, 100, 1.0, 0.0)  # below intrinsic value 20
    with pytest.raises(ValueError, match="errors must be"):
        P.implied_volatility(5.0, 100, 100, 1.0, 0.0, errors="ignore")
    out = P.implied_volatility(np.array([5.0, -1.0, 150.0]), 100, 100, 1.0, 0.0, errors="nan")
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()


# --------------------------------------------------------------------------- Heston
def test_heston_tends_to_black_scholes_when_variance_is_nearly_constant():
    m = np.array([0.85, 1.0, 1.2])
    h = P.heston_price(m, 146 / 365, 0.04, 2.0, 0.04, 1e-4, -0.5)
    bs = P.black_scholes_price(m, 1.0, 146 / 365, 0.0, 0.2)
    np.testing.assert_allclose(h, bs, atol=2e-6)


def test_heston_put_call_parity_and_bounds():
    m = np.array([0.8, 0.95, 1.1, 1.25])
    args = (m, 146 / 365, 0.09, 1.2, 0.04, 0.8, -0.7)
    call, put = P.heston_price(*args), P.heston_price(*args, option="put")
    np.testing.assert_allclose(call - put, m - 1.0, atol=1e-8)  # zero rates, per unit strike
    assert np.all(call >= np.maximum(m - 1, 0) - 1e-12) and np.all(call <= m)
    assert np.all(np.diff(call) > 0)  # increasing in moneyness


def test_heston_negative_correlation_makes_a_skew():
    # rho < 0 fattens the left tail: out-of-the-money puts (m > 1) gain, OTM calls (m < 1) lose
    lo_m, hi_m = 0.85, 1.18
    neg = P.heston_price([lo_m, hi_m], 1.0, 0.04, 1.5, 0.04, 0.6, -0.8)
    zero = P.heston_price([lo_m, hi_m], 1.0, 0.04, 1.5, 0.04, 0.6, 0.0)
    assert neg[0] < zero[0]            # OTM call cheaper
    assert neg[1] > zero[1]            # deep ITM call dearer, i.e. OTM put dearer by parity


def test_heston_errors():
    with pytest.raises(ValueError, match="rho must be in"):
        P.heston_price(1.0, 0.5, 0.04, 1.0, 0.04, 0.5, -1.0)
    with pytest.raises(ValueError, match="v0 must be positive"):
        P.heston_price(1.0, 0.5, -0.04, 1.0, 0.04, 0.5, -0.5)
    with pytest.raises(ValueError, match="whole number of days"):
        P.heston_price(1.0, 0.123456, 0.04, 1.0, 0.04, 0.5, -0.5)


def test_heston_lewis_matches_the_published_reference_value():
    # Fang & Oosterlee (2008), the COS method paper: S = K = 100, T = 1, r = q = 0,
    # kappa = 1.5768, theta = 0.0398, sigma = 0.5751, rho = -0.5711, v0 = 0.0175: 5.785155450.
    price = 100 * P.heston_price_lewis(1.0, 1.0, 0.0175, 1.5768, 0.0398, 0.5751, -0.5711)[0]
    assert price == pytest.approx(5.785155450, abs=1e-6)


def test_heston_lewis_tends_to_black_scholes_when_variance_is_nearly_constant():
    m = np.array([0.8, 1.0, 1.25])
    h = P.heston_price_lewis(m, 0.4, 0.04, 2.0, 0.04, 1e-4, -0.5)
    bs = P.black_scholes_price(m, 1.0, 0.4, 0.0, 0.2)
    np.testing.assert_allclose(h, bs, atol=1e-6)


def test_heston_lewis_matches_quantlib_to_a_hundredth_of_a_basis_point():
    grid = P.heston_grid(6, seed=11)
    cols = [grid[c].to_numpy() for c in ("moneyness", "maturity", *P.HESTON_PARAMETERS)]
    assert np.abs(P.heston_price_lewis(*cols) - P.heston_price(*cols)).max() < 1e-6
    frame = P.heston_training_set(20, 5, seed=3)
    cols = [frame[c].to_numpy() for c in ("moneyness", "maturity", *P.HESTON_PARAMETERS)]
    assert np.abs(P.heston_price_lewis(*cols) - frame["price"].to_numpy()).max() < 1e-6


def test_heston_lewis_default_nodes_reach_the_hardest_corner_of_the_domain():
    # found by the seed sweep (chapter 16, SEED=5): short, deep in the money, low variance,
    # high volatility of variance, strongly negative rho; 48 nodes missed by 0.48 bp
    hard = (1.25, 37 / 365, 0.0125, 1.1789, 0.0133, 0.8849, -0.8279)
    quantlib = float(P.heston_price(*hard)[0])
    assert abs(float(P.heston_price_lewis(*hard)[0]) - quantlib) < 1e-7
    assert abs(float(P.heston_price_lewis(*hard, nodes=48)[0]) - quantlib) > 1e-5


def test_heston_lewis_keeps_the_shape_and_rejects_bad_input():
    out = P.heston_price_lewis(np.ones((2, 3)), 0.5, 0.04, 1.0, 0.04, 0.5, -0.5)
    assert out.shape == (2, 3)
    with pytest.raises(ValueError, match="rho must be in"):
        P.heston_price_lewis(1.0, 0.5, 0.04, 1.0, 0.04, 0.5, 1.0)
    with pytest.raises(ValueError, match="maturity must be positive"):
        P.heston_price_lewis(1.0, 0.0, 0.04, 1.0, 0.04, 0.5, -0.5)
    with pytest.raises(ValueError, match="nodes must be"):
        P.heston_price_lewis(1.0, 0.5, 0.04, 1.0, 0.04, 0.5, -0.5, nodes=1)
    with pytest.raises(ValueError, match="width must be"):
        P.heston_price_lewis(1.0, 0.5, 0.04, 1.0, 0.04, 0.5, -0.5, width=-1.0)


def test_heston_quantlib_pricer_reuses_objects_and_matches_heston_price():
    grid = P.heston_grid(3, seed=5)
    first = grid[grid["set"] == 0]
    pricer = P.HestonQuantLibPricer(first["moneyness"], first["maturity"])
    for _, part in grid.groupby("set"):
        params = part[list(P.HESTON_PARAMETERS)].iloc[0]
        expected = P.heston_price(part["moneyness"], part["maturity"], *params)
        np.testing.assert_allclose(pricer.price(*params), expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="rho must be in"):
        pricer.price(0.04, 1.0, 0.04, 0.5, -1.0)
    with pytest.raises(ValueError, match="v0 must be positive"):
        pricer.price(-0.04, 1.0, 0.04, 0.5, -0.5)
    with pytest.raises(ValueError, match="whole number of days"):
        P.HestonQuantLibPricer([1.0], [0.123456])


def test_heston_effective_volatility_limits():
    assert float(P.heston_effective_volatility(1.0, 0.09, 3.0, 0.09)) == pytest.approx(0.3)
    assert float(P.heston_effective_volatility(1e-8, 0.09, 3.0, 0.04)) == pytest.approx(0.3, rel=1e-6)
    assert float(P.heston_effective_volatility(1.0, 0.09, 1e6, 0.04)) == pytest.approx(0.2, rel=1e-4)


def test_heston_frame_columns_and_labels():
    frame = P.heston_training_set(2, 3, seed=0)
    assert list(frame.columns) == ["moneyness", "maturity", *P.HESTON_PARAMETERS, "price", "bs_effective"]
    assert len(frame) == 6 and frame["v0"].nunique() == 2
    row = frame.iloc[0]
    expected = P.heston_price(row["moneyness"], row["maturity"], *(row[p] for p in P.HESTON_PARAMETERS))
    assert row["price"] == pytest.approx(float(expected[0]))
    with pytest.raises(ValueError, match="missing Heston parameters"):
        P.heston_frame([1.0], [0.5], v0=0.04)


# --------------------------------------------------------------------------- training sets and surrogates
def test_black_scholes_training_set_labels_use_homogeneity():
    frame = P.black_scholes_training_set(50, seed=1)
    spot, strike = 80.0 * frame["moneyness"], 80.0
    prices = P.black_scholes_price(spot, strike, frame["maturity"], frame["rate"], frame["volatility"])
    np.testing.assert_allclose(prices / strike, frame["price"], rtol=1e-12, atol=1e-15)
    for name, (lo, hi) in P.BLACK_SCHOLES_DOMAIN.items():
        assert frame[name].between(lo, hi).all()
    with pytest.raises(ValueError, match="n must be a positive integer"):
        P.black_scholes_training_set(0, seed=1)
    with pytest.raises(ValueError, match="domain of rate"):
        P.black_scholes_training_set(5, seed=1, domain={**P.BLACK_SCHOLES_DOMAIN, "rate": (0.1, 0.0)})


def test_polynomial_pricer_is_exact_on_a_polynomial():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (200, 2))
    y = 1 + 2 * x[:, 0] - x[:, 1] ** 2 + 0.5 * x[:, 0] * x[:, 1]
    model = P.polynomial_pricer(2).fit(x, y)
    np.testing.assert_allclose(model.predict(x), y, atol=1e-10)
    with pytest.raises(ValueError, match="degree must be a positive integer"):
        P.polynomial_pricer(0)


def test_pricing_errors_in_basis_points():
    assert P.pricing_errors([0.10, 0.20], [0.1001, 0.1997]) == {"rmse": 2.2361, "mae": 2.0, "max": 3.0}
    with pytest.raises(ValueError, match="equal length"):
        P.pricing_errors([0.1], [0.1, 0.2])


@pytest.fixture(scope="module")
def keras_ready():
    from finbook import repro

    repro.set_seed(0)
    return True


def test_network_derivatives_of_a_known_function(keras_ready):
    # one softplus unit with weight 1, bias 0 and output weight 1: f(x) = softplus(x)
    net = L.pricing_network(1, hidden=(1,), activation="softplus")
    net.get_layer("hidden1").set_weights([np.ones((1, 1)), np.zeros(1)])
    net.get_layer("output").set_weights([np.ones((1, 1)), np.zeros(1)])
    x = np.array([[-1.0], [0.0], [2.0]])
    value, first, second = L.network_derivatives(net, x, 0)
    sig = 1 / (1 + np.exp(-x[:, 0]))
    np.testing.assert_allclose(value, np.log1p(np.exp(x[:, 0])), rtol=1e-6)
    np.testing.assert_allclose(first, sig, rtol=1e-6)
    np.testing.assert_allclose(second, sig * (1 - sig), rtol=1e-5)


def test_relu_network_has_zero_second_derivative(keras_ready):
    net = L.pricing_network(2, hidden=(16, 16), activation="relu")
    x = np.random.default_rng(1).uniform(-1, 1, (100, 2))
    _, first, second = L.network_derivatives(net, x, 0)
    assert np.all(second == 0.0) and np.any(first != 0.0)


def test_network_standardises_inputs_and_rescales_output(keras_ready):
    net = L.pricing_network(2, hidden=(4,), input_mean=[1.0, 2.0], input_scale=[2.0, 4.0],
                            output_scale=10.0)
    z = np.asarray(net.get_layer("standardise")(np.array([[3.0, 6.0]], dtype="float32")))
    np.testing.assert_allclose(z, [[1.0, 1.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="input_scale must be positive"):
        L.pricing_network(2, input_scale=[1.0, 0.0])
    with pytest.raises(ValueError, match="must have 2 values"):
        L.pricing_network(2, input_mean=[0.0])


def test_chapter_15_step_in_the_training_loop_learns_a_line_repeatably(keras_ready):
    from finbook import training

    x = np.linspace(-1, 1, 512)[:, None]
    y = 0.5 + 2.0 * x[:, 0]
    fits = []
    for _ in range(2):
        from finbook import repro

        repro.set_seed(3)
        net = L.pricing_network(1, hidden=(8,), activation="softplus", learning_rate=0.02)
        net, hist = training.fit(net, x, y, epochs=60, batch_size=64, validation_data=(x, y), seed=3,
                                 step=L.train_step, val_loss=L.pricing_loss)
        fits.append(P.network_predict(net, x))
        assert hist["val_loss"][-1] < hist["val_loss"][0]
        assert min(hist["val_loss"]) < 1e-3
    np.testing.assert_array_equal(fits[0], fits[1])



def test_pricing_loss_by_hand_and_train_step_descends(keras_ready):
    net = L.pricing_network(2, hidden=(4,), activation="tanh", learning_rate=0.05)
    x = np.random.default_rng(0).uniform(-1, 1, (64, 2)).astype("float32")
    y = (x[:, :1] - 0.5 * x[:, 1:]).astype("float32")
    by_hand = np.mean((np.asarray(net(x, training=False)) - y) ** 2)
    assert float(L.pricing_loss(net, x, y)) == pytest.approx(by_hand, rel=1e-5)
    losses = [float(L.train_step(net, x, y)) for _ in range(50)]
    assert losses[0] == pytest.approx(by_hand, rel=1e-5)  # the loss before the first step
    assert float(L.pricing_loss(net, x, y)) < by_hand / 2


def test_hedging_functions_reject_bad_strikes_and_maturities(keras_ready):
    paths = np.array([[100.0, 110.0, 105.0]])
    with pytest.raises(ValueError, match="strike must be positive"):
        L.delta_hedge(paths, 0.0, 1.0, 0.0, lambda s, t: np.zeros_like(s), 6.0)
    with pytest.raises(ValueError, match="maturity must be positive"):
        L.delta_hedge(paths, 100.0, float("nan"), 0.0, lambda s, t: np.zeros_like(s), 6.0)
    with pytest.raises(ValueError, match="paths must have shape"):
        L.delta_hedge(paths[0], 100.0, 1.0, 0.0, lambda s, t: np.zeros_like(s), 6.0)
    with pytest.raises(ValueError, match="strike must be positive"):
        L.network_delta(L.pricing_network(2, hidden=(1,)), float("inf"))


# --------------------------------------------------------------------------- paths and hedging
def test_gbm_paths_have_the_lognormal_mean():
    paths = P.simulate_gbm_paths(100, 0.08, 0.25, n_paths=200_000, n_steps=4, maturity=1.0, seed=5)
    assert paths.shape == (200_000, 5) and np.all(paths[:, 0] == 100)
    # E[S_T] = S0 e^{mu T}; standard error 100 * 0.25 / sqrt(2e5) ~ 0.06
    assert paths[:, -1].mean() == pytest.approx(100 * math.exp(0.08), abs=0.3)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        P.simulate_gbm_paths(100, 0.08, 0.25, n_paths=2, n_steps=0, maturity=1.0, seed=5)


def test_payoff_training_set_labels_by_hand():
    paths = np.array([[100.0, 110.0, 120.0]])
    frame = P.payoff_training_set(paths, 1.0, 0.05, strike_range=(1.0, 1.0 + 1e-12),
                                  samples_per_path=4, seed=0)
    # strike 100, payoff 20 at T = 1: label e^{-0.05 tau} * 20 / 100, tau = 1 or 0.5
    expected = np.exp(-0.05 * frame["tau"]) * 0.2
    np.testing.assert_allclose(frame["payoff"], expected, rtol=1e-9)
    assert set(frame["tau"].round(12)) <= {1.0, 0.5}
    np.testing.assert_allclose(frame["moneyness"], np.where(frame["tau"] == 1.0, 1.0, 1.1), rtol=1e-9)


def test_delta_hedge_by_hand_and_without_hedging():
    paths = np.array([[100.0, 110.0, 105.0]])
    # delta 0.5 then 0.8; r = 0; price 6 received. Bank: 6 - 50 = -44, then -44 - 0.3 * 110 = -77.
    # At expiry: 0.8 * 105 - 77 - max(105 - 100, 0) = 84 - 77 - 5 = 2.
    deltas = iter([np.array([[0.5, 0.8]])])
    err = L.delta_hedge(paths, 100.0, 1.0, 0.0, lambda s, t: next(deltas), 6.0)
    assert err == pytest.approx([2.0])
    # no hedge: the premium grows at r and the payoff is paid
    paths = P.simulate_gbm_paths(50, 0.1, 0.2, n_paths=50, n_steps=10, maturity=0.5, seed=1)
    err = L.delta_hedge(paths, 50, 0.5, 0.04, lambda s, t: np.zeros_like(s), 3.0)
    np.testing.assert_allclose(err, 3.0 * math.exp(0.02) - np.maximum(paths[:, -1] - 50, 0))


def test_black_scholes_delta_hedge_error_shrinks_with_rebalancing():
    k, t, r, v = 50.0, 0.25, 0.05, 0.2
    price = P.black_scholes_price(50, k, t, r, v)
    delta = lambda s, tau: P.black_scholes_greeks(s, k, tau, r, v)["delta"]  # noqa: E731
    stds = []
    for steps in (8, 128):
        paths = P.simulate_gbm_paths(50, 0.10, v, n_paths=4000, n_steps=steps, maturity=t, seed=2)
        stds.append(P.hedging_error_summary(L.delta_hedge(paths, k, t, r, delta, price), r, t)["std"])
    # hedging error falls like 1 / sqrt(number of rebalancing dates): 16x more dates, ~4x smaller
    assert 3.0 < stds[0] / stds[1] < 5.0


def test_hedging_error_summary():
    assert P.hedging_error_summary([1.0, -1.0], 0.0, 1.0) == {"mean": 0.0, "std": 1.0, "abs": 1.0, "rms": 1.0}
    s = P.hedging_error_summary([2.0, 2.0], math.log(2.0), 1.0)
    assert s["mean"] == pytest.approx(1.0) and s["rms"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- chapter helpers
def test_surrogate_report_flags_arbitrage_and_volatility_errors():
    frame = P.black_scholes_training_set(200, seed=4)
    perfect = P.surrogate_report(frame, frame["price"])
    assert perfect["rmse error (bp of K)"] == 0.0 and perfect["negative prices (%)"] == 0.0
    assert perfect["median |implied vol error| (vol pts)"] < 1e-5
    shifted = frame["price"].to_numpy() * 0.99  # 1% too cheap: still arbitrage-free, except row 0
    shifted[0] = -0.01
    report = P.surrogate_report(frame, shifted)
    expected_mae = 1e4 * np.mean(np.abs(shifted - frame["price"].to_numpy()))
    assert report["mae error (bp of K)"] == pytest.approx(expected_mae, abs=1e-3)
    assert report["negative prices (%)"] == pytest.approx(0.5)
    assert report["no implied vol (%)"] >= 0.5
    # without a volatility column the true implied volatility is backed out of the price
    no_vol = P.surrogate_report(frame.drop(columns="volatility"), frame["price"])
    assert no_vol["median |implied vol error| (vol pts)"] < 1e-5
    with pytest.raises(ValueError, match="prices for 200 options"):
        P.surrogate_report(frame, [0.1])


def test_in_currency_units_scales_by_strike():
    frame = P.black_scholes_training_set(20, seed=2)
    raw = P.in_currency_units(frame, seed=3)
    assert raw["strike"].between(50, 150).all()
    np.testing.assert_allclose(raw["spot"] / raw["strike"], frame["moneyness"])
    expected = P.black_scholes_price(raw["spot"], raw["strike"], raw["maturity"], raw["rate"],
                                     raw["volatility"])
    np.testing.assert_allclose(raw["target"], expected, rtol=1e-12)


def test_heston_grid_features_and_control_variate():
    grid = P.heston_grid(3, seed=1)
    assert grid.shape == (3 * 88, 8) and grid.groupby("set")["v0"].nunique().eq(1).all()
    for name, (lo, hi) in P.HESTON_DOMAIN.items():
        assert grid[name].between(lo, hi).all(), name
    x = P.heston_features(grid)
    assert x.shape == (len(grid), 10)
    np.testing.assert_allclose(x[:, 0], np.log(grid["moneyness"]))
    np.testing.assert_allclose(x[:, 8], x[:, 7] * np.sqrt(grid["maturity"]))
    # the control variate is Black-Scholes at the effective volatility
    cv = P.heston_control_variate(grid)
    expected = P.black_scholes_price(grid["moneyness"], 1.0, grid["maturity"], 0.0, x[:, 7])
    np.testing.assert_allclose(cv, expected)


def test_heston_surrogate_learns_the_correction(keras_ready):
    train = P.heston_training_set(60, 10, seed=5)
    valid = P.heston_training_set(10, 10, seed=6)
    net, hist = L.fit_heston_surrogate(train, valid, hidden=(16,), epochs=40, batch_size=32, seed=0)
    price = L.heston_surrogate_price(net, valid)
    assert price.shape == (len(valid),)
    # better than the control variate alone, which it corrects
    assert P.pricing_errors(valid["price"], price)["rmse"] < P.pricing_errors(
        valid["price"], valid["bs_effective"])["rmse"]


def test_delta_functions_for_hedging(keras_ready):
    strike = 50.0
    # a polynomial "pricer" price/K = 0.5 (S/K)^2 has delta S/K
    predict = lambda x: 0.5 * x[:, 0] ** 2  # noqa: E731
    delta = P.finite_difference_delta(predict, strike)
    s = np.array([[40.0, 50.0], [55.0, 60.0]])
    np.testing.assert_allclose(delta(s, np.full_like(s, 0.5)), s / strike, rtol=1e-8)
    # a one-unit linear network: price/K = 2 m + 0 tau, delta = 2
    net = L.pricing_network(2, hidden=(1,), activation="linear")
    net.get_layer("hidden1").set_weights([np.array([[1.0], [0.0]]), np.zeros(1)])
    net.get_layer("output").set_weights([np.array([[2.0]]), np.zeros(1)])
    np.testing.assert_allclose(L.network_delta(net, strike)(s, np.full_like(s, 0.5)), 2.0, rtol=1e-6)




def test_polynomial_pricer_weights_round_trip(tmp_path, monkeypatch):
    from finbook import pretrain

    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 2, size=(200, 3))
    fitted = P.polynomial_pricer(4).fit(x, np.exp(x[:, 0]) * x[:, 1] - x[:, 2] ** 3)
    pretrain.save_weights(fitted, "option_plain", 0, tmp_path)  # any model with get_weights()
    restored = pretrain.load_weights(P.PolynomialPricer(4, n_inputs=3), "option_plain", 0, tmp_path)
    np.testing.assert_array_equal(restored.predict(x), fitted.predict(x))
    with pytest.raises(pretrain.WeightsError, match="shapes"):  # a different degree has other coefficients
        pretrain.load_weights(P.PolynomialPricer(5, n_inputs=3), "option_plain", 0, tmp_path)
    with pytest.raises(RuntimeError, match="give n_inputs"):
        P.PolynomialPricer(4).get_weights()
    whole = fitted.predict(x)
    monkeypatch.setattr(P, "_PREDICT_BLOCK", 35 * 30)  # blocks of 30 rows: the same prices, in order
    np.testing.assert_allclose(fitted.predict(x), whole, rtol=0, atol=1e-12)
    assert fitted.predict(x[:0]).shape == (0,)
    with pytest.raises(ValueError, match="do not fit a degree-3 polynomial"):
        P.PolynomialPricer(3).set_weights(fitted.get_weights())
    with pytest.raises(ValueError, match="n_inputs"):
        P.PolynomialPricer(3, n_inputs=0)


def test_polynomial_degrees_share_one_fit_and_match_separate_fits():
    frame = P.black_scholes_training_set(3000, seed=7)
    x = frame[["moneyness", "maturity", "volatility"]].to_numpy()
    y = P.black_scholes_price(x[:, 0], 1.0, x[:, 1], 0.0, x[:, 2])  # a smooth function of x alone
    fits = P.fit_polynomial_degrees(x, y, [2, 5])
    for degree in (2, 5):
        alone = P.polynomial_pricer(degree).fit(x, y)
        np.testing.assert_allclose(fits[degree].predict(x), alone.predict(x), atol=1e-9)
    # number of coefficients: C(3 + d, d)
    assert [len(fits[d].coef_) for d in (2, 5)] == [math.comb(5, 2), math.comb(8, 5)]
    # higher degree fits the smooth price function better
    err = {d: np.abs(fits[d].predict(x) - y).mean() for d in (2, 5)}
    assert err[5] < err[2] / 3
    with pytest.raises(ValueError, match="coefficients but there are only"):
        P.polynomial_pricer(12).fit(x[:50], y[:50])
    with pytest.raises(RuntimeError, match="call fit before predict"):
        P.polynomial_pricer(2).predict(x)
    with pytest.raises(ValueError, match="at least one"):
        P.fit_polynomial_degrees(x, y, [])


def test_polynomial_gram_summed_over_row_blocks_matches_one_fit():
    # 4 inputs, degree 10: 1,001 terms, so the Gram matrix is summed over blocks of 4,190 rows
    frame = P.black_scholes_training_set(9000, seed=8)
    x = frame[["moneyness", "maturity", "volatility", "rate"]].to_numpy()
    y = frame["price"].to_numpy()
    assert len(x) > 2 ** 22 // math.comb(14, 4)
    fits = P.fit_polynomial_degrees(x, y, [10])
    alone = P.polynomial_pricer(10).fit(x, y)
    np.testing.assert_allclose(fits[10].predict(x), alone.predict(x), atol=1e-8)


def test_compiled_and_plain_network_predictions_agree(keras_ready):
    net = L.pricing_network(3, hidden=(8, 8), activation="gelu")
    x = np.random.default_rng(2).uniform(-1, 1, (257, 3))
    plain = P.network_predict(net, x)
    np.testing.assert_allclose(P.network_predict(net, x, compiled=True), plain, atol=1e-5)
    np.testing.assert_allclose(P.network_predict(net, x, batch_size=100), plain, rtol=1e-6)
    with pytest.raises(ValueError, match="must be 2-D"):
        P.network_predict(net, x[0])
