//! Option price sensitivities.

/// Price and first-order sensitivities of an option.
///
/// Units (see the workspace conventions): delta per unit spot, gamma per unit spot², vega per
/// 1.00 of volatility, theta per year (`∂V/∂t` in calendar time, so usually negative for a long
/// option), rho per 1.00 of rate, `dividend_rho` per 1.00 of dividend yield. Helpers convert to
/// per-day and per-vol-point units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Greeks {
    /// Option value.
    pub price: f64,
    /// ∂V/∂S.
    pub delta: f64,
    /// ∂²V/∂S².
    pub gamma: f64,
    /// ∂V/∂σ per 1.00 of volatility.
    pub vega: f64,
    /// ∂V/∂t per year of calendar time.
    pub theta: f64,
    /// ∂V/∂r per 1.00 of rate.
    pub rho: f64,
    /// ∂V/∂q per 1.00 of dividend yield.
    pub dividend_rho: f64,
}

impl Greeks {
    /// Theta per calendar day, `theta / days_per_year` (365 is the usual choice).
    #[inline]
    pub fn theta_per_day(&self, days_per_year: f64) -> f64 {
        self.theta / days_per_year
    }

    /// Vega per volatility point (0.01 of volatility).
    #[inline]
    pub fn vega_per_point(&self) -> f64 {
        self.vega * 0.01
    }

    /// Rho per basis point (0.0001 of rate).
    #[inline]
    pub fn rho_per_bp(&self) -> f64 {
        self.rho * 1e-4
    }

    /// The Greeks of `quantity` units of the position (every field scaled).
    #[inline]
    pub fn scaled(&self, quantity: f64) -> Self {
        Self {
            price: self.price * quantity,
            delta: self.delta * quantity,
            gamma: self.gamma * quantity,
            vega: self.vega * quantity,
            theta: self.theta * quantity,
            rho: self.rho * quantity,
            dividend_rho: self.dividend_rho * quantity,
        }
    }
}

impl std::ops::Add for Greeks {
    type Output = Greeks;
    fn add(self, o: Greeks) -> Greeks {
        Greeks {
            price: self.price + o.price,
            delta: self.delta + o.delta,
            gamma: self.gamma + o.gamma,
            vega: self.vega + o.vega,
            theta: self.theta + o.theta,
            rho: self.rho + o.rho,
            dividend_rho: self.dividend_rho + o.dividend_rho,
        }
    }
}

impl std::ops::AddAssign for Greeks {
    fn add_assign(&mut self, o: Greeks) {
        *self = *self + o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_helpers_and_aggregation() {
        let g = Greeks {
            price: 10.0,
            delta: 0.5,
            gamma: 0.02,
            vega: 40.0,
            theta: -3.65,
            rho: 20.0,
            dividend_rho: -25.0,
        };
        assert!((g.theta_per_day(365.0) + 0.01).abs() < 1e-15);
        assert!((g.vega_per_point() - 0.4).abs() < 1e-15);
        assert!((g.rho_per_bp() - 0.002).abs() < 1e-15);
        let short = g.scaled(-2.0);
        let mut flat = g + g;
        flat += short;
        assert_eq!(flat, Greeks::default());
    }
}
