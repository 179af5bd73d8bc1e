package io.kgen.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"kgen " + (v == null ? "(development build)" : v), io.kgen.Engine.buildInfo()};
    }
}
