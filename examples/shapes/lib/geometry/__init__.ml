// The geometry package: settings shared by its modules.
version = "1.0";
unit = "cm";
